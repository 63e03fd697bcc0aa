import type { Message } from 'firebase-admin/messaging';
import { safeLink } from '@herald/channel';
import type { Delivery, InboxRead } from '@herald/contracts';
import { renderNotification } from '@herald/render';
import type { Platform } from './device-repository.js';

export interface Target {
  readonly token: string;
  readonly platform: Platform;
}

/** Longest body shown: the app opens the item for the rest; FCM takes 4 KB in all. */
const maxBodyLength = 1_000;
/** Longest list of read ids carried; past it the app is told to sync instead. */
const maxReadIdsLength = 3_000;
/** apns-collapse-id takes at most 64 bytes. */
const maxCollapseIdBytes = 64;

function preview(text: string): string {
  const chars = [...text];
  return chars.length <= maxBodyLength ? text : `${chars.slice(0, maxBodyLength - 1).join('')}…`;
}

/**
 * The push of one delivery to one device: title and body in the recipient's
 * language, the data the app acts on, and the platform's delivery options.
 * Calls and errors are urgent; each kind has its Android channel; a second
 * push of the same item replaces the first (collapse key, collapse id).
 */
export function deliveryMessage(
  delivery: Delivery,
  target: Target,
  badge: number | undefined,
  crmBaseUrl: string,
): Message {
  const notification = delivery.notification!;
  const recipient = delivery.recipient!;
  const rendered = renderNotification(notification, { locale: recipient.locale, timeZone: recipient.timezone });
  const urgent = rendered.kind === 'call' || rendered.kind === 'error';
  const providerId = notification.provider?.id ?? '';
  const base = {
    token: target.token,
    notification: {
      title: rendered.title,
      body: preview([rendered.text, ...rendered.details].filter((line) => line !== '').join('\n')),
    },
    data: {
      type: 'notification',
      notification_id: notification.id,
      link: safeLink(rendered.link, crmBaseUrl) ?? '',
      provider: providerId,
      provider_name: rendered.providerName,
      kind: rendered.kind,
    },
  };
  if (target.platform === 'android') {
    return {
      ...base,
      android: {
        priority: urgent ? 'high' : 'normal',
        collapseKey: notification.id,
        notification: { channelId: `herald_${rendered.kind}`, tag: notification.id },
      },
    };
  }
  const headers: Record<string, string> = { 'apns-priority': urgent ? '10' : '5', 'apns-push-type': 'alert' };
  if (Buffer.byteLength(notification.id) <= maxCollapseIdBytes) headers['apns-collapse-id'] = notification.id;
  return {
    ...base,
    apns: {
      headers,
      payload: {
        aps: { threadId: providerId || rendered.kind, sound: 'default', ...(badge === undefined ? {} : { badge }) },
      },
    },
  };
}

/**
 * The data-only push of items read anywhere: the app sets its badge and
 * clears those items' notifications. Read states replace each other, so an
 * offline device gets only the latest (one collapse key for all of them).
 */
export function readMessage(event: InboxRead, target: Target): Message {
  const ids = JSON.stringify(event.notificationIds);
  const data = {
    type: 'read',
    unread_count: String(event.unreadCount),
    all: event.all ? 'true' : 'false',
    notification_ids: event.all || ids.length > maxReadIdsLength ? '[]' : ids,
    // Too many ids to carry: the app lists its inbox instead.
    sync: !event.all && ids.length > maxReadIdsLength ? 'true' : 'false',
    read_at: (event.readAt ?? new Date()).toISOString(),
  };
  if (target.platform === 'android') {
    return { token: target.token, data, android: { priority: 'normal', collapseKey: 'herald_read' } };
  }
  return {
    token: target.token,
    data,
    apns: {
      headers: { 'apns-priority': '5', 'apns-push-type': 'alert', 'apns-collapse-id': 'herald_read' },
      payload: { aps: { badge: event.unreadCount, contentAvailable: true } },
    },
  };
}
