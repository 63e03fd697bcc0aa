import { Notification } from '@herald/contracts';
import { reportOutcome, type OutcomePublisher, type SentLedger } from '@herald/channel';
import { inTransaction, type Pool } from '@herald/db';
import type { Logger } from '@herald/telemetry';
import type { DigestRepository, HeldItem, RecipientRecord } from './digest-repository.js';
import { latestSlot, parseTimeOfDay, isZone } from './digest-time.js';
import { digestMail, type MailLinks } from './mail-content.js';
import { MailError, type Mailer } from './mailer.js';
import { slotAfter } from './recipients.js';

export interface DigestSchedulerDeps {
  readonly pool: Pool;
  readonly digests: DigestRepository;
  readonly ledger: SentLedger;
  readonly mailer: Mailer;
  readonly outcomes: OutcomePublisher;
  readonly links: MailLinks;
  /** Users claimed (and locked) per transaction. */
  readonly claimSize: number;
  /** Digests of one claim sent at once: about the SMTP pool's size. */
  readonly concurrency: number;
  readonly logger: Logger;
}

export interface TickResult {
  /** Users whose slot was due. */
  claimed: number;
  /** Digests handed to the SMTP server. */
  sent: number;
  /** Digests that failed for now: their users stay due, tried again at the next tick. */
  failed: number;
}

interface Window {
  readonly recipient: RecipientRecord;
  readonly start: Date;
  readonly end: Date;
}

type DigestResult = 'sent' | 'nothing unread' | 'failed' | 'refused';

/** The ledger key of one user's digest of one slot: a digest goes once per user and slot. */
export function digestKey(r: RecipientRecord, slot: Date): string {
  return `digest.${r.accountId}.${r.userId}.${slot.toISOString()}`;
}

/**
 * Sends the daily digests that are due. Each tick claims due users with
 * FOR UPDATE SKIP LOCKED, so any number of replicas share the work and send
 * each digest once; a user whose slot passed while no scheduler ran gets one
 * digest, for the latest slot.
 */
export class DigestScheduler {
  private running: Promise<TickResult> | undefined;

  constructor(private readonly deps: DigestSchedulerDeps) {}

  /** Runs one tick at `now`; a tick still running is awaited instead of started again. */
  tick(now: Date): Promise<TickResult> {
    this.running ??= this.sendDue(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once the tick under way, if any, has finished; starts none. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async sendDue(now: Date): Promise<TickResult> {
    const total: TickResult = { claimed: 0, sent: 0, failed: 0 };
    for (;;) {
      const round = await inTransaction(this.deps.pool, (client) => this.claimAndSend(client, now));
      total.claimed += round.claimed;
      total.sent += round.sent;
      total.failed += round.failed;
      // A round that claimed fewer than asked took the last due users (failed ones wait for the next tick).
      if (round.claimed < this.deps.claimSize || round.claimed === round.failed) return total;
    }
  }

  private async claimAndSend(client: Parameters<DigestRepository['claimDue']>[0], now: Date): Promise<TickResult> {
    const { digests } = this.deps;
    const due = await digests.claimDue(client, now, this.deps.claimSize);
    const windows: Window[] = [];
    const next: { accountId: string; userId: string; at: Date | null }[] = [];
    for (const recipient of due) {
      const time = parseTimeOfDay(recipient.digestTime);
      if (time && isZone(recipient.timezone)) {
        const { start, end } = latestSlot(time, recipient.timezone, now);
        const from = recipient.windowStart && recipient.windowStart < start ? recipient.windowStart : start;
        windows.push({ recipient, start: from, end });
      } else next.push({ accountId: recipient.accountId, userId: recipient.userId, at: null });
    }
    const items = await digests.unreadIn(
      client,
      windows.map((w) => ({
        accountId: w.recipient.accountId,
        userId: w.recipient.userId,
        start: w.start,
        end: w.end,
      })),
    );
    const byUser = new Map<string, HeldItem[]>();
    for (const item of items) {
      const key = `${item.accountId}/${item.userId}`;
      byUser.set(key, [...(byUser.get(key) ?? []), item]);
    }
    const result: TickResult = { claimed: due.length, sent: 0, failed: 0 };
    await forEach(windows, this.deps.concurrency, async (window) => {
      const { recipient } = window;
      const outcome = await this.sendOne(window, byUser.get(`${recipient.accountId}/${recipient.userId}`) ?? [], now);
      if (outcome === 'sent') result.sent++;
      if (outcome === 'failed') {
        result.failed++;
        return;
      }
      const at = recipient.emailMode === 'daily' ? slotAfter(recipient.digestTime, recipient.timezone, now) : null;
      next.push({ accountId: recipient.accountId, userId: recipient.userId, at });
    });
    await digests.reschedule(client, next);
    return result;
  }

  private async sendOne(window: Window, items: readonly HeldItem[], now: Date): Promise<DigestResult> {
    const { recipient, start, end } = window;
    if (items.length === 0) return 'nothing unread';
    const { ledger, outcomes, logger } = this.deps;
    const key = digestKey(recipient, end);
    let record = await ledger.sent(key);
    let result: DigestResult = 'sent';
    if (!record) {
      const content = digestMail(
        {
          items: items.map((i) => Notification.decode(i.notification)),
          since: start,
          digestTime: recipient.digestTime,
        },
        recipient,
        this.deps.links,
      );
      try {
        const messageId = await this.deps.mailer.send({ to: recipient.email, content, messageKey: key });
        record = { deliveryId: key, sentAt: now, providerMessageId: messageId };
        await ledger.record([record]);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const permanent = err instanceof MailError && err.permanent;
        logger.warn(
          { err, digest: key },
          permanent ? 'digest refused for good' : 'digest failed; tried again next tick',
        );
        if (!permanent) return 'failed';
        result = 'refused';
        await Promise.all(
          items.map((item) => reportOutcome(outcomes, refOf(item), { status: 'failed', reason, tries: 1 }, now)),
        );
        return result;
      }
    }
    const report = { status: 'delivered', tries: 1, providerMessageId: record.providerMessageId } as const;
    await Promise.all(items.map((item) => reportOutcome(outcomes, refOf(item), report, record.sentAt)));
    return result;
  }
}

function refOf(item: HeldItem) {
  return {
    deliveryId: item.deliveryId,
    notificationId: item.notificationId,
    accountId: item.accountId,
    userId: item.userId,
    channel: 'CHANNEL_EMAIL',
  } as const;
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function forEach<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
