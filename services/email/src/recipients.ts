import type { PreferencesChanged, Recipient } from '@herald/contracts';
import type { RecipientRecord } from './digest-repository.js';
import { latestSlot, nextSlot, parseTimeOfDay, isZone } from './digest-time.js';

/** The slot a daily user waits for next, or null when their time or zone cannot make one. */
export function slotAfter(digestTime: string, timezone: string, after: Date): Date | null {
  const time = parseTimeOfDay(digestTime);
  return time && isZone(timezone) ? nextSlot(time, timezone, after) : null;
}

/** A recipient as a delivery describes them: version 0, so any preferences event overrides it. */
export function fromDelivery(accountId: string, r: Recipient, now: Date): RecipientRecord {
  const daily = r.emailMode === 'EMAIL_MODE_DAILY';
  return {
    accountId,
    userId: r.userId,
    email: r.email,
    locale: r.locale,
    timezone: r.timezone,
    emailMode: daily ? 'daily' : 'immediate',
    digestTime: r.digestTime,
    version: 0,
    nextDigestAt: daily ? slotAfter(r.digestTime, r.timezone, now) : null,
    windowStart: null,
  };
}

/**
 * A recipient after a change of their settings, scheduled anew: a daily user
 * waits for the next slot of their (new) time; a slot already due is kept, and
 * so is the pending slot of a user who leaves daily mode, so the items held
 * for it still go out once.
 */
export function fromPreferences(
  event: PreferencesChanged,
  current: RecipientRecord | undefined,
  now: Date,
): RecipientRecord | undefined {
  const { settings, user } = event;
  if (!settings?.accountId || !settings.userId || !user) return undefined;
  const daily = settings.emailMode === 'EMAIL_MODE_DAILY';
  const pending = current?.nextDigestAt ?? null;
  const due = pending !== null && pending.getTime() <= now.getTime();
  const next = daily && !due ? slotAfter(settings.digestTime, user.timezone, now) : pending;
  // The items held for the slot given up still go with the next digest: its window starts where that slot's did.
  let windowStart = current?.windowStart ?? null;
  const givenUp = current && pending && next?.getTime() !== pending.getTime() ? windowOf(current, pending) : null;
  if (givenUp && (!windowStart || givenUp < windowStart)) windowStart = givenUp;
  return {
    accountId: settings.accountId,
    userId: settings.userId,
    email: user.email,
    locale: user.locale,
    timezone: user.timezone,
    emailMode: daily ? 'daily' : 'immediate',
    digestTime: settings.digestTime,
    version: event.version,
    nextDigestAt: next,
    windowStart,
  };
}

/** Where the window of `slot` starts, for a user's stored time and zone. */
function windowOf(r: RecipientRecord, slot: Date): Date | null {
  const time = parseTimeOfDay(r.digestTime);
  return time && isZone(r.timezone) ? latestSlot(time, r.timezone, slot).start : null;
}
