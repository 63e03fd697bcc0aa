import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { eventually, uniqueName } from '@herald/testing';
import { adminToken, startHarness, type Answer, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

async function token(secret: string, claims: Record<string, unknown>, expiresIn: string | number = '10m') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** A token with `alg: none`, which must never pass. */
const unsigned = (claims: object) =>
  [{ alg: 'none', typ: 'JWT' }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .join('.') + '.';

interface Page {
  items: { id: string; kind: string; read: boolean; content: Record<string, unknown>; provider: { name: string } }[];
  next_cursor?: string;
  unread_count: number;
}

describe('the routes of a signed-in person', () => {
  let h: Harness;
  let apiKey: string;
  let secret: string;
  let alice: string;
  let bob: string;
  const account = uniqueName('acct');

  beforeAll(async () => {
    h = await startHarness();
    ({ apiKey, secret } = await h.seed(account, ['alice', 'bob']));
    alice = await token(secret, { account, user: 'alice' });
    bob = await token(secret, { account, user: 'bob' });
    for (const text of ['One', 'Two', 'Three']) {
      await h.request({
        method: 'POST',
        url: '/api/v1/notifications/add_error',
        bearer: apiKey,
        body: { text, users: ['alice'] },
      });
    }
    await h.request({
      method: 'POST',
      url: '/api/v1/notifications/add_error',
      bearer: apiKey,
      body: { text: 'Bob’s', users: ['bob'] },
    });
    await eventually(async () => {
      const page = await h.request({ method: 'GET', url: '/api/v1/me/notifications', bearer: alice });
      expect(page.json<Page>().items).toHaveLength(3);
    });
  });
  afterAll(() => h.stop());

  it('streams my new items live over a WebSocket signed in by ?access_token=, and nobody else’s', async () => {
    const own = uniqueName('acct');
    const keys = await h.seed(own, ['carol', 'dave']);
    const carol = await token(keys.secret, { account: own, user: 'carol' });
    const url = `ws://127.0.0.1:${h.gateway.port}/api/v1/me/live?access_token=${encodeURIComponent(carol)}`;
    const socket = new WebSocket(url);
    const frames: { type: string; data: { text?: string } }[] = [];
    socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as (typeof frames)[number]));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      // The feed opens with the unread count: from then on, events reach this socket.
      await eventually(() => expect(frames.map((f) => f.type)).toContain('unread_count'));
      for (const [text, user] of [
        ['For Dave only', 'dave'],
        ['Live for Carol', 'carol'],
      ] as const) {
        await h.request({
          method: 'POST',
          url: '/api/v1/notifications/add_error',
          bearer: keys.apiKey,
          body: { text, users: [user] },
        });
      }
      await eventually(() =>
        expect(frames.filter((f) => f.type === 'item').map((f) => f.data.text)).toEqual(['Live for Carol']),
      );
    } finally {
      socket.close();
    }
    const refused = new WebSocket(`ws://127.0.0.1:${h.gateway.port}/api/v1/me/live?access_token=forged`);
    const status = await new Promise<number | undefined>((resolve) =>
      refused
        .once('unexpected-response', (_req, res) => resolve(res.statusCode))
        .once('open', () => resolve(101))
        .once('error', () => resolve(undefined)),
    );
    refused.on('error', () => undefined);
    expect(status).toBe(401);
  });

  const me = (url: string, bearer: string, method: 'GET' | 'POST' = 'GET') =>
    h.request({ method, url: `/api/v1/me${url}`, bearer });

  it('lists my notifications newest first, a page at a time, and counts the unread', async () => {
    const first = (await me('/notifications?order=newest&limit=2', alice)).json<Page>();
    expect(first.items.map((i) => i.content['text'])).toEqual(['Three', 'Two']);
    expect(first.items[0]).toMatchObject({ kind: 'error', read: false, provider: { name: 'Telephony' } });
    expect(first.unread_count).toBe(3);
    const second = (
      await me(`/notifications?order=newest&limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`, alice)
    ).json<Page>();
    expect(second.items.map((i) => i.content['text'])).toEqual(['One']);
    expect(second.next_cursor).toBeUndefined();
    expect((await me('/notifications/unread_count', alice)).json()).toEqual({ unread_count: 3 });

    const bad = await me('/notifications?order=oldest', alice);
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).field).toBe('order');
    expect(errorOf(await me('/notifications?limit=500', alice)).field).toBe('limit');
  });

  it('marks one read; another user’s item is a 404 and stays unread', async () => {
    const [mine] = (await me('/notifications', alice)).json<Page>().items;
    const [bobs] = (await me('/notifications', bob)).json<Page>().items;
    const read = await me(`/notifications/${mine?.id}/read`, alice, 'POST');
    expect(read.json()).toEqual({ updated: 1, unread_count: 2 });
    expect((await me(`/notifications/${mine?.id}/read`, alice, 'POST')).json()).toEqual({
      updated: 0,
      unread_count: 2,
    });

    const stolen = await me(`/notifications/${bobs?.id}/read`, alice, 'POST');
    expect(stolen.statusCode).toBe(404);
    expect(errorOf(stolen).code).toBe('NOT_FOUND');
    expect((await me('/notifications/unread_count', bob)).json()).toEqual({ unread_count: 1 });
    expect((await me('/notifications/no-such-id/read', alice, 'POST')).statusCode).toBe(404);
  });

  it('marks all read, for me only', async () => {
    expect((await me('/notifications/read_all', alice, 'POST')).json()).toMatchObject({ unread_count: 0 });
    expect((await me('/notifications/unread_count', bob)).json()).toEqual({ unread_count: 1 });
  });

  it('refuses a missing, forged, expired or foreign token with 401, changing nothing', async () => {
    const [bobs] = (await me('/notifications', bob)).json<Page>().items;
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      '',
      'not-a-jwt',
      await token('another-secret-another-secret-0123456789', { account, user: 'bob' }),
      await token(secret, { account, user: 'bob' }, now - 10),
      await token(secret, { account: uniqueName('nobody'), user: 'bob' }),
      await token(secret, { account, user: 'bob/../alice' }),
      (await token(secret, { account, user: 'bob' })).replace(/\.[^.]+$/, '.AAAA'),
      unsigned({ account, user: 'bob', exp: now + 600 }),
      // No exp: a token must expire.
      await new SignJWT({ account, user: 'bob' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(secret)),
    ];
    for (const bearer of bad) {
      const answer = await me(`/notifications/${bobs?.id}/read`, bearer, 'POST');
      expect([bearer, answer.statusCode, errorOf(answer).code]).toEqual([bearer, 401, 'UNAUTHENTICATED']);
    }
    expect((await me('/notifications/unread_count', bob)).json()).toEqual({ unread_count: 1 });
  });

  it('stops taking tokens signed with a secret the admin replaced', async () => {
    const carol = await token(secret, { account, user: 'alice' });
    expect((await me('/notifications/unread_count', carol)).statusCode).toBe(200);
    const rotated = `${secret}-rotated`;
    await h.request({
      method: 'PUT',
      url: `/api/v1/admin/accounts/${account}`,
      bearer: adminToken,
      body: { name: 'Renamed', signing_secret: rotated },
    });
    await eventually(async () => expect((await me('/notifications/unread_count', carol)).statusCode).toBe(401));
    secret = rotated;
    alice = await token(secret, { account, user: 'alice' });
    bob = await token(secret, { account, user: 'bob' });
    expect((await me('/notifications/unread_count', alice)).statusCode).toBe(200);
  });

  it('reads and patches my settings as a merge patch, all or nothing', async () => {
    const settings = (await me('/settings', alice)).json<{
      receive_notifications: boolean;
      inbox_order: string;
      providers: Record<string, { channels: Record<string, boolean>; customized: boolean }>;
    }>();
    expect(settings).toMatchObject({ receive_notifications: true, inbox_order: 'unread_first' });
    const [telephony] = Object.entries(settings.providers).filter(([id]) => id.endsWith('.telephony'));
    expect(telephony?.[1].channels['interface']).toBe(true);
    const id = telephony?.[0] ?? '';

    const patch = (body: unknown, contentType = 'application/merge-patch+json') =>
      h.request({
        method: 'PATCH',
        url: '/api/v1/me/settings',
        bearer: alice,
        body: JSON.stringify(body),
        headers: { 'content-type': contentType },
      });
    const changed = await patch({
      receive_notifications: false,
      email_mode: 'daily',
      digest_time: '18:00',
      inbox_order: 'newest',
      providers: { [id]: { channels: { telegram: true } } },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      receive_notifications: false,
      email_mode: 'daily',
      digest_time: '18:00',
      inbox_order: 'newest',
      providers: { [id]: { customized: true, channels: { telegram: true, interface: true } } },
    });

    const refused = [
      [{ inbox_order: 'unread_first', digest_time: '25:99' }, 'digest_time'],
      [
        { inbox_order: 'unread_first', providers: { [id]: { channels: { interface: false } } } },
        `providers.${id}.channels.interface`,
      ],
      [{ inbox_order: 'unread_first', providers: { 'no.such': { channels: { email: true } } } }, 'providers.no.such'],
      [{ inbox_order: 'unread_first', colour: 'red' }, 'colour'],
    ] as const;
    for (const [body, field] of refused) {
      const answer = await patch(body);
      expect([field, answer.statusCode, errorOf(answer).field]).toEqual([field, 400, field]);
    }
    expect((await me('/settings', alice)).json()).toMatchObject({ inbox_order: 'newest' });

    const reset = await patch({ providers: { [id]: null } }, 'application/json');
    expect(reset.json()).toMatchObject({ providers: { [id]: { customized: false } } });
    expect((await me('/settings', bob)).json()).toMatchObject({
      receive_notifications: true,
      inbox_order: 'unread_first',
    });
  });

  it('lists the providers available to me', async () => {
    const { providers } = (await me('/providers', alice)).json<{ providers: { id: string; kind: string }[] }>();
    expect(providers.map((p) => p.id)).toEqual(expect.arrayContaining(['system.tasks.before', `${account}.telephony`]));
  });

  it('has no dev sign-in outside dev mode', async () => {
    const answer = await h.request({ method: 'POST', url: '/dev/sign-in', body: { account, user: 'alice' } });
    expect(answer.statusCode).toBe(404);
  });
});
