import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { eventually, fieldOf, rejection, uniqueName } from '@herald/testing';
import { startHarness, type Answer, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

async function token(secret: string, claims: Record<string, unknown>, expiresIn: string | number = '10m') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

interface Page {
  items: { id: string; kind: string; content: Record<string, unknown>; provider: { id: string; name: string } }[];
}
interface Frame {
  type: string;
  id: string;
  data: { id?: string; kind?: string; text?: string };
}

describe('APP.notifications in the browser, for the signed-in person', () => {
  let h: Harness;
  const account = uniqueName('acct');
  const other = uniqueName('acct');
  let secret: string;
  let alice: string;
  let bob: string;
  /** bob and mallory of another account. */
  let otherBob: string;
  let mallory: string;

  beforeAll(async () => {
    h = await startHarness();
    ({ secret } = await h.seed(account, ['alice', 'bob']));
    const keys = await h.seed(other, ['bob', 'mallory']);
    alice = await token(secret, { account, user: 'alice' });
    bob = await token(secret, { account, user: 'bob' });
    otherBob = await token(keys.secret, { account: other, user: 'bob' });
    mallory = await token(keys.secret, { account: other, user: 'mallory' });
  });
  afterAll(() => h.stop());

  const send = (method: string, bearer: string | undefined, body: unknown, headers?: Record<string, string>) =>
    h.request({
      method: 'POST',
      url: `/api/v1/me/notifications/${method}`,
      bearer,
      body,
      ...(headers ? { headers } : {}),
    });
  const list = async (bearer: string) =>
    (await h.request({ method: 'GET', url: '/api/v1/me/notifications?order=newest', bearer })).json<Page>().items;

  it('sends each of the five calls as me: popups come live with the id the answer gave, items are stored', async () => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${h.gateway.port}/api/v1/me/live?access_token=${encodeURIComponent(alice)}`,
    );
    const frames: Frame[] = [];
    socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Frame));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      await eventually(() => expect(frames.map((f) => f.type)).toContain('unread_count'));
      const popups = [
        ['show_message', { header: 'Hi', text: 'A message <b>' }, 'message'],
        ['show_message_error', { header: 'Oops', text: 'An error', link: '/leads/1' }, 'message_error'],
        ['show_notification', { text: { header: 'Call', text: 'Incoming' }, type: 'call' }, 'notification'],
      ] as const;
      const shown: [string, string][] = [];
      for (const [method, body, kind] of popups) {
        const answer = await send(method, alice, body);
        expect([method, answer.statusCode]).toEqual([method, 202]);
        const { id, duplicate, unknown_users } = answer.json<{ id: string; duplicate: boolean; unknown_users: [] }>();
        expect({ duplicate, unknown_users }).toEqual({ duplicate: false, unknown_users: [] });
        shown.push([id, kind]);
      }
      await eventually(() =>
        expect(frames.filter((f) => f.type === 'popup').map((f) => [f.data.id, f.data.kind])).toEqual(shown),
      );

      const error = await send('add_error', alice, { header: 'Widget', text: 'Stored error', idempotency_key: 'k1' });
      const call = await send('add_call', alice, {
        text: 'Stored call',
        from: '+34 600',
        element: { id: 7, type: 'lead' },
        duration: 12,
      });
      expect([error.statusCode, call.statusCode]).toEqual([202, 202]);
      const ids = [error.json<{ id: string }>().id, call.json<{ id: string }>().id];
      await eventually(() =>
        expect(frames.filter((f) => f.type === 'item').map((f) => f.data.id)).toEqual(expect.arrayContaining(ids)),
      );
      const items = await list(alice);
      expect(items.map((i) => [i.id, i.kind, i.provider.id])).toEqual([
        [ids[1], 'call', 'system.widgets'],
        [ids[0], 'error', 'system.widgets'],
      ]);
      expect(items[0]?.content).toMatchObject({ from: '+34 600', element: { id: 7, type: 'lead' }, duration: 12 });

      // The same key again is the same notification, stored once.
      const again = await send('add_error', alice, { header: 'Widget', text: 'Stored error', idempotency_key: 'k1' });
      expect(again.json()).toEqual({ id: ids[0], duplicate: true, unknown_users: [] });
      // Bob's own key "k1" is his, not Alice's.
      const bobs = await send('add_error', bob, { text: 'Bob’s', idempotency_key: 'k1' });
      expect(bobs.json()).toMatchObject({ duplicate: false });
      expect(bobs.json<{ id: string }>().id).not.toBe(ids[0]);
    } finally {
      socket.close();
    }
  });

  it('refuses bad parameters with a 400 naming the field, and account or sender in the body', async () => {
    const refused = [
      ['show_notification', { text: { header: 'h', text: 't' }, type: 'sms' }, 'type'],
      ['show_notification', { text: { text: 't' }, type: 'call' }, 'text.header'],
      ['show_message', { header: 'h' }, 'text'],
      ['add_call', { text: 't', element: { id: 1, type: 'deal' } }, 'element.type'],
      ['add_call', { text: 't', duration: -1 }, 'duration'],
      ['add_error', { text: 't', link: 'javascript:alert(1)' }, 'link'],
      ['add_error', { text: 't', account: other }, 'account'],
      ['add_error', { text: 't', users: [] }, 'users'],
      ['add_error', { text: 't', users: ['../x'] }, 'users[0]'],
      ['show_message', { header: 'h', text: 't', idempotency_key: 'k' }, 'idempotency_key'],
    ] as const;
    for (const [method, body, field] of refused) {
      const answer = await send(method, alice, body);
      expect([method, field, answer.statusCode, errorOf(answer).field]).toEqual([method, field, 400, field]);
    }
    // add_event is the CRM's own: not a browser call.
    expect((await send('add_event', alice, { text: 't' })).statusCode).toBe(404);
  });

  it('refuses a missing, forged or expired token with 401 and stores nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      undefined,
      'not-a-jwt',
      await token('another-secret-another-secret-0123456789', { account, user: 'bob' }),
      await token(secret, { account, user: 'bob' }, now - 10),
      (await token(secret, { account, user: 'bob' })).replace(/\.[^.]+$/, '.AAAA'),
    ];
    for (const bearer of bad) {
      for (const method of ['add_error', 'show_message'] as const) {
        const answer = await send(method, bearer, { header: 'h', text: 'Never stored' });
        expect([method, answer.statusCode, errorOf(answer).code]).toEqual([method, 401, 'UNAUTHENTICATED']);
      }
    }
    // A good one after the bad ones: once it is in, none of the others is.
    const good = await send('add_error', bob, { text: 'Stored' });
    await eventually(async () => expect((await list(bob)).map((i) => i.id)).toContain(good.json<{ id: string }>().id));
    expect((await list(bob)).map((i) => i.content['text'])).not.toContain('Never stored');
  });

  it('reaches the users I list of my own account only', async () => {
    const mixed = await send('add_error', alice, { text: 'For Bob', users: ['bob', 'mallory'] });
    expect(mixed.statusCode).toBe(202);
    const { id, unknown_users } = mixed.json<{ id: string; unknown_users: string[] }>();
    expect(unknown_users).toEqual(['mallory']);
    await eventually(async () => expect((await list(bob)).map((i) => i.id)).toContain(id));
    // The notification went to this account's bob alone: the other account never saw it.
    expect(await list(otherBob)).toEqual([]);
    expect(await list(mallory)).toEqual([]);

    const foreign = await send('show_message', alice, { header: 'h', text: 't', users: ['mallory'] });
    expect([foreign.statusCode, errorOf(foreign).field]).toEqual([400, 'users']);
    expect(await list(mallory)).toEqual([]);
  });

  it('lists the widgets among my providers, so I can choose their channels', async () => {
    const settings = (await h.request({ method: 'GET', url: '/api/v1/me/settings', bearer: alice })).json<{
      providers: Record<string, { name: string; kind: string }>;
    }>();
    expect(settings.providers['system.widgets']).toMatchObject({ name: 'Widgets', kind: 'system' });
  });

  it('never lets a person token reach the whole account straight through ingest', async () => {
    const { stack } = h;
    const err = await rejection(
      stack.call(stack.ingest.addError.bind(stack.ingest), { text: 'To everyone', recipients: [] }, alice),
    );
    expect([err.code, fieldOf(err)]).toEqual([status.INVALID_ARGUMENT, 'recipients']);
  });
});
