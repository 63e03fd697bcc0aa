import { createHash } from 'node:crypto';
import { safeLink } from '@herald/channel';
import type { Delivery, InboxRead } from '@herald/contracts';
import { renderNotification } from '@herald/render';

/**
 * Most bytes of a payload before encryption: push services take 4096 bytes of
 * body, and aes128gcm adds 103 (an 86-byte header, a padding delimiter and a
 * 16-byte tag) to one record.
 */
export const maxPayloadBytes = 4096 - 103;

/** What the service worker shows for one delivery (services/web/public/sw.js reads it). */
export interface NotificationPayload {
  readonly type: 'notification';
  /** The notification id: the tag of the shown notification, and the item marked read on click. */
  readonly id: string;
  readonly title: string;
  readonly body: string;
  /** The item's own link (http(s), CRM-relative resolved), or the notification center. */
  readonly url: string;
  readonly kind: string;
  readonly provider: string;
  readonly icon?: string;
  readonly badge?: string;
  /** ISO 8601: when it happened. */
  readonly date: string;
  /** The user's unread items, for the app badge; absent when unknown. */
  readonly unread_count?: number;
}

/** Items read anywhere: the service worker closes their notifications and sets the badge. */
export interface ReadPayload {
  readonly type: 'read';
  /** Notification ids read; all shown notifications when `all`. */
  readonly ids: readonly string[];
  readonly all: boolean;
  readonly unread_count: number;
}

export interface PayloadSettings {
  readonly crmBaseUrl: string;
  readonly notificationCenterUrl: string;
  readonly iconUrl?: string | undefined;
  readonly badgeUrl?: string | undefined;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** `text` cut to its first `count` characters (grapheme clusters, so no emoji or accent is split), with an ellipsis. */
function cut(graphemes: readonly string[], count: number): string {
  return count >= graphemes.length ? graphemes.join('') : `${graphemes.slice(0, count).join('')}…`;
}

/** The longest cut of one field that keeps the payload within the limit: a binary search over its characters. */
function fit<T>(build: (text: string) => T, text: string): T | undefined {
  const graphemes = [...segmenter.segment(text)].map((s) => s.segment);
  if (bytesOf(build(cut(graphemes, graphemes.length))) <= maxPayloadBytes) return build(text);
  let low = 0;
  let high = graphemes.length - 1;
  if (bytesOf(build(cut(graphemes, 0))) > maxPayloadBytes) return undefined;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (bytesOf(build(cut(graphemes, mid))) <= maxPayloadBytes) low = mid;
    else high = mid - 1;
  }
  return build(cut(graphemes, low));
}

/**
 * The push of one delivery: title and text in the recipient's language, the
 * link to open, and the notification id. Within 4 KB: a long text is cut at a
 * character boundary (then the title, if need be), never the JSON.
 */
export function notificationPayload(
  delivery: Delivery,
  unreadCount: number | undefined,
  settings: PayloadSettings,
): NotificationPayload {
  const notification = delivery.notification!;
  const recipient = delivery.recipient!;
  const rendered = renderNotification(notification, { locale: recipient.locale, timeZone: recipient.timezone });
  const icon = safeLink(notification.provider?.iconUrl ?? '', settings.crmBaseUrl) ?? settings.iconUrl;
  const base = {
    type: 'notification' as const,
    id: notification.id,
    url: safeLink(rendered.link, settings.crmBaseUrl) ?? settings.notificationCenterUrl,
    kind: rendered.kind,
    provider: rendered.providerName,
    ...(icon ? { icon } : {}),
    ...(settings.badgeUrl ? { badge: settings.badgeUrl } : {}),
    date: (notification.occurredAt ?? new Date()).toISOString(),
    ...(unreadCount === undefined ? {} : { unread_count: unreadCount }),
  };
  const body = [rendered.text, ...rendered.details].filter((line) => line !== '').join('\n');
  const whole = fit((text) => ({ ...base, title: rendered.title, body: text }), body);
  if (whole) return whole;
  // Even without its text the payload is too long: the title is cut too.
  const titled = fit((title) => ({ ...base, title, body: '' }), rendered.title);
  if (titled) return titled;
  return { ...base, url: settings.notificationCenterUrl, title: '', body: '' };
}

/** The read pushes of one read event: its ids in as many payloads as it takes to stay within 4 KB each. */
export function readPayloads(event: InboxRead): ReadPayload[] {
  const base = { type: 'read' as const, all: event.all, unread_count: event.unreadCount };
  if (event.all || event.notificationIds.length === 0) return [{ ...base, ids: [] }];
  const payloads: ReadPayload[] = [];
  let ids: string[] = [];
  for (const id of event.notificationIds) {
    if (ids.length > 0 && bytesOf({ ...base, ids: [...ids, id] }) > maxPayloadBytes) {
      payloads.push({ ...base, ids });
      ids = [];
    }
    ids.push(id);
  }
  payloads.push({ ...base, ids });
  return payloads;
}

/**
 * The Topic of an item's pushes: a newer push for the same item replaces one
 * the push service still holds. At most 32 characters of base64url (RFC 8030
 * §5.4), so a digest of the id rather than the id itself.
 */
export function topicOf(notificationId: string): string {
  return createHash('sha256').update(notificationId).digest('base64url').slice(0, 32);
}
