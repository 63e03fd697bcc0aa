import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { reportOutcome } from '@herald/channel';
import { eventually, uniqueName } from '@herald/testing';
import { startHarness, type Answer, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

const token = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));

describe('GET /api/v1/me/notifications/{id}/deliveries', () => {
  let h: Harness;
  const account = uniqueName('acct');
  let alice: string;
  let bob: string;
  let id: string;

  beforeAll(async () => {
    h = await startHarness();
    const { apiKey, secret } = await h.seed(account, ['alice', 'bob']);
    alice = await token(secret, { account, user: 'alice' });
    bob = await token(secret, { account, user: 'bob' });
    const sent = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/add_error',
      bearer: apiKey,
      body: { text: 'Logged', users: ['alice'] },
    });
    id = sent.json<{ id: string }>().id;
    await eventually(async () => {
      const page = await h.request({ method: 'GET', url: '/api/v1/me/notifications', bearer: alice });
      expect(page.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([id]);
    });
  });
  afterAll(() => h.stop());

  const deliveries = (notification: string, bearer: string | undefined) =>
    h.request({ method: 'GET', url: `/api/v1/me/notifications/${notification}/deliveries`, bearer });

  it('is empty for an item of mine that no other channel reported on yet', async () => {
    const answer = await deliveries(id, alice);
    expect([answer.statusCode, answer.json()]).toEqual([200, { deliveries: [] }]);
  });

  it('shows what every channel reported of my item, oldest first', async () => {
    const ref = (channel: 'CHANNEL_EMAIL' | 'CHANNEL_MOBILE') => ({
      deliveryId: `${id}.alice.${channel === 'CHANNEL_EMAIL' ? 'email' : 'mobile'}`,
      notificationId: id,
      accountId: account,
      userId: 'alice',
      channel,
    });
    const t0 = new Date(Date.UTC(2026, 0, 1, 9));
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    await reportOutcome(h.stack.bus, ref('CHANNEL_EMAIL'), { status: 'skipped', reason: 'digest' }, at(0));
    await reportOutcome(
      h.stack.bus,
      ref('CHANNEL_MOBILE'),
      { status: 'failed', reason: 'UNREGISTERED', tries: 1 },
      at(1),
    );
    await reportOutcome(
      h.stack.bus,
      ref('CHANNEL_EMAIL'),
      { status: 'delivered', tries: 2, providerMessageId: '<m1@herald>' },
      at(2),
    );
    const log = await eventually(async () => {
      const answer = await deliveries(id, alice);
      const body = answer.json<{ deliveries: unknown[] }>();
      expect(body.deliveries).toHaveLength(3);
      return body;
    });
    expect(log.deliveries).toEqual([
      {
        delivery_id: `${id}.alice.email`,
        channel: 'email',
        status: 'skipped',
        reason: 'digest',
        tries: 0,
        at: at(0).toISOString(),
      },
      {
        delivery_id: `${id}.alice.mobile`,
        channel: 'mobile',
        status: 'failed',
        reason: 'UNREGISTERED',
        tries: 1,
        at: at(1).toISOString(),
      },
      {
        delivery_id: `${id}.alice.email`,
        channel: 'email',
        status: 'delivered',
        tries: 2,
        provider_message_id: '<m1@herald>',
        at: at(2).toISOString(),
      },
    ]);
  });

  it('answers 404 for another user’s item or none, and 401 without a token', async () => {
    for (const [notification, bearer] of [
      [id, bob],
      ['no-such-item', alice],
    ] as const) {
      const answer = await deliveries(notification, bearer);
      expect([answer.statusCode, errorOf(answer).code]).toEqual([404, 'NOT_FOUND']);
    }
    expect((await deliveries(id, undefined)).statusCode).toBe(401);
    expect(errorOf(await deliveries('x'.repeat(65), alice)).field).toBe('id');
  });
});
