import { describe, expect, it } from '@jest/globals';
import { buildDelivery } from '@herald/testing';
import { maxPayloadBytes, notificationPayload, readPayloads, topicOf } from './payloads.js';

const settings = { crmBaseUrl: 'https://crm.example.com', notificationCenterUrl: 'https://herald.example.com/' };
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('push payloads', () => {
  it('opens the notification center for a link that must stay text', () => {
    const delivery = buildDelivery({ accountId: 'a', userId: 'u', notificationId: 'n1', channel: 'CHANNEL_BROWSER' });
    const body = delivery.notification!.body!;
    if (body.$case === 'error') body.value.link = 'javascript:alert(1)';
    expect(notificationPayload(delivery, undefined, settings)).toMatchObject({ url: 'https://herald.example.com/' });
  });

  it('cuts the title too when even an empty text leaves the payload too long, and keeps the JSON whole', () => {
    const delivery = buildDelivery({
      accountId: 'a',
      userId: 'u',
      notificationId: 'n1',
      channel: 'CHANNEL_BROWSER',
      text: 'x'.repeat(4000),
    });
    const body = delivery.notification!.body!;
    // Control characters escape to six bytes each in JSON.
    if (body.$case === 'error') body.value.header = '\u0001'.repeat(1000);
    const payload = notificationPayload(delivery, 7, settings);
    expect(bytes(payload)).toBeLessThanOrEqual(maxPayloadBytes);
    expect(payload.body).toBe('');
    expect(payload.title.endsWith('…')).toBe(true);
    expect(payload).toMatchObject({ id: 'n1', unread_count: 7 });
  });

  it('splits the ids of a large read into pushes that each fit', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `notification-${i}-${'x'.repeat(20)}`);
    const payloads = readPayloads({
      accountId: 'a',
      userId: 'u',
      notificationIds: ids,
      all: false,
      readAt: new Date(),
      unreadCount: 3,
    });
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(bytes(payload)).toBeLessThanOrEqual(maxPayloadBytes);
    expect(payloads.flatMap((p) => p.ids)).toEqual(ids);
    expect(payloads.every((p) => p.unread_count === 3 && !p.all)).toBe(true);
  });

  it('makes a Topic of at most 32 base64url characters, the same for the same item', () => {
    const id = '0190a5c4-3f2e-7a1b-9c8d-123456789abc';
    expect(topicOf(id)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(topicOf(id)).toBe(topicOf(id));
    expect(topicOf(id)).not.toBe(topicOf(`${id}x`));
  });
});
