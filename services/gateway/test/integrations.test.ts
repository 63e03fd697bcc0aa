import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InboxOrder } from '@herald/contracts';
import { eventually, uniqueName } from '@herald/testing';
import { startHarness, type Answer, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; message: string; field?: string } }>().error;

describe('the integration routes', () => {
  let h: Harness;
  let apiKey: string;
  let otherKey: string;
  const account = uniqueName('acct');
  const other = uniqueName('other');

  beforeAll(async () => {
    h = await startHarness();
    ({ apiKey } = await h.seed(account, ['u1', 'u2']));
    ({ apiKey: otherKey } = await h.seed(other, ['o1']));
  });
  afterAll(() => h.stop());

  const post = (method: string, body: unknown, bearer: string = apiKey, headers?: Record<string, string>) =>
    h.request({
      method: 'POST',
      url: `/api/v1/notifications/${method}`,
      bearer,
      body,
      ...(headers ? { headers } : {}),
    });
  const inboxOf = (accountId: string, user: string) =>
    h.stack.call(h.stack.inbox.list.bind(h.stack.inbox), {
      accountId,
      userId: user,
      order: InboxOrder.INBOX_ORDER_NEWEST,
      pageSize: 200,
      cursor: '',
    });
  const stored = async () =>
    (await h.stack.bus.jsm.streams.info(h.stack.bus.streamName('NOTIFICATIONS'))).state.messages;

  it('takes each call of seeds/003 with its own fields and answers 202', async () => {
    const calls: [string, object][] = [
      [
        'show_message',
        {
          header: 'Warning',
          text: 'Connection established',
          date: 1714566795,
          icon: 'https://www.example.com/images/telephone.png',
        },
      ],
      ['show_message_error', { header: 'Warning', text: 'Connection to the server is lost' }],
      [
        'show_notification',
        { text: { header: 'Outgoing call', text: 'Dialing the number +19872345678' }, type: 'call' },
      ],
      [
        'add_error',
        {
          header: 'Error',
          text: 'Failed to set the task! Contact not found!',
          date: 1714566795,
          link: '/contacts/list/?term=4951234567',
        },
      ],
      [
        'add_call',
        {
          text: 'Call from +1 (415) 523-7743',
          date: 1714566795,
          from: 'Jeremy Watts',
          to: 'Jason Nash',
          element: { id: 18221265, type: 'contact' },
          duration: 250,
          link: 'https://example.com/dialog.mp3',
        },
      ],
      [
        'add_event',
        {
          header: 'Task',
          text: 'Call the client',
          task: { id: 't1', created_by: 'u2', responsible: 'u1', minutes_before: 15 },
        },
      ],
    ];
    for (const [method, params] of calls) {
      const answer = await post(method, { ...params, users: ['u1'] });
      expect([method, answer.statusCode]).toEqual([method, 202]);
      expect(answer.json()).toEqual({ id: expect.any(String), duplicate: false, unknown_users: [] });
    }
    const inbox = await eventually(async () => {
      const page = await inboxOf(account, 'u1');
      expect(page.items).toHaveLength(3);
      return page;
    });
    expect(inbox.items.map((i) => i.notification?.body?.$case).sort()).toEqual(['call', 'error', 'event']);
  });

  it('stores a repeated idempotency key once, from the body or the Idempotency-Key header', async () => {
    const key = uniqueName('idem');
    const first = await post('add_error', { text: 'Once', users: ['u2'], idempotency_key: key });
    const again = await post('add_error', { text: 'Once', users: ['u2'] }, apiKey, { 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    expect(again.json()).toEqual({ ...first.json<object>(), duplicate: true });

    const clash = await post('add_error', { text: 'Once', idempotency_key: key }, apiKey, {
      'idempotency-key': 'other',
    });
    expect(clash.statusCode).toBe(400);
    expect(errorOf(clash).field).toBe('idempotency_key');
  });

  it('refuses a bad body with a 400 naming the field, storing nothing', async () => {
    const before = await stored();
    const cases: [object, string][] = [
      [{ header: 'No text' }, 'text'],
      [{ text: 'x', colour: 'red' }, 'colour'],
      [{ text: 'x', date: 'yesterday' }, 'date'],
      [{ text: 'x', link: 'javascript:alert(1)' }, 'link'],
      [{ text: 'x'.repeat(4001) }, 'text'],
      [{ text: 'x', users: ['a.b'] }, 'users[0]'],
      [{ text: 'x', users: ['ghost'] }, 'users'],
    ];
    for (const [body, field] of cases) {
      const answer = await post('add_error', body);
      expect([field, answer.statusCode, errorOf(answer).code, errorOf(answer).field]).toEqual([
        field,
        400,
        'INVALID_ARGUMENT',
        field,
      ]);
    }
    const call = await post('add_call', { text: 'Call', element: { id: 1, type: 'deal' } });
    expect(errorOf(call).field).toBe('element.type');
    const notJson = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/add_error',
      bearer: apiKey,
      body: '{"text":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('answers 401 without a key or with a wrong one, and a key reaches only its own account', async () => {
    const before = await stored();
    expect((await post('add_error', { text: 'x' }, '')).statusCode).toBe(401);
    expect(errorOf(await post('add_error', { text: 'x' }, 'hk_not-a-key')).code).toBe('UNAUTHENTICATED');
    const forged = apiKey.slice(0, -4) + 'AAAA';
    expect((await post('add_error', { text: 'x' }, forged)).statusCode).toBe(401);

    // u1 is a user of the first account: for the other account's key it is nobody.
    const across = await post('add_error', { text: 'Not yours', users: ['u1'] }, otherKey);
    expect(across.statusCode).toBe(400);
    expect(errorOf(across).field).toBe('users');
    const partly = await post('add_error', { text: 'Only o1', users: ['o1', 'u1'] }, otherKey);
    expect(partly.json()).toMatchObject({ unknown_users: ['u1'] });
    await eventually(async () => expect((await inboxOf(other, 'o1')).items).toHaveLength(1));
    expect(await stored()).toBe(before + 1);
    expect((await inboxOf(account, 'u1')).items.map((i) => i.notification?.accountId)).not.toContain(other);
  });

  it('answers calls arriving together each on its own: a bad one or a wrong key refuses only itself', async () => {
    const before = await stored();
    const marker = uniqueName('together');
    const [answers, bad, ghost, wrongKey, otherAccount] = await Promise.all([
      Promise.all(Array.from({ length: 30 }, (_, i) => post('add_error', { text: `${marker} ${i}`, users: ['u2'] }))),
      post('add_error', { text: 'x', link: 'javascript:alert(1)' }),
      post('add_error', { text: 'x', users: ['ghost'] }),
      post('add_error', { text: 'x' }, 'hk_not-a-key'),
      post('add_error', { text: `${marker} other`, users: ['o1'] }, otherKey),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(30).fill(202));
    expect(new Set(answers.map((a) => a.json<{ id: string }>().id)).size).toBe(30);
    expect([bad.statusCode, errorOf(bad).field]).toEqual([400, 'link']);
    expect([ghost.statusCode, errorOf(ghost).field]).toEqual([400, 'users']);
    expect([wrongKey.statusCode, errorOf(wrongKey).code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(otherAccount.statusCode).toBe(202);
    expect(await stored()).toBe(before + 31);
    await eventually(async () => {
      const texts = (await inboxOf(account, 'u2')).items.map((i) => i.notification?.body);
      expect(JSON.stringify(texts).split(marker).length - 1).toBe(30);
    });
  });

  it('answers a batch item by item, in order, a bad item refusing only itself', async () => {
    const before = await stored();
    const answer = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/batch',
      bearer: apiKey,
      body: {
        items: [
          { method: 'add_error', params: { text: 'First' }, users: ['u2'] },
          { method: 'add_fax', params: { text: 'No such call' } },
          { method: 'add_call', params: { text: 'Call', duration: 'long' }, users: ['u2'] },
          { method: 'add_error', params: { text: 'Bad link', link: 'ftp://x' }, users: ['u2'] },
          { method: 'add_error', params: { text: 'Nobody' }, users: ['ghost'] },
          { method: 'show_message', params: { header: 'Hi', text: 'Popup' }, users: ['u2'] },
          { method: 'show_message', params: { header: 'Hi', text: 'Popup' }, idempotency_key: 'k' },
          { method: 'add_call', params: { text: 'Last' }, users: ['u2', 'ghost'], idempotency_key: uniqueName('k') },
        ],
      },
    });
    expect(answer.statusCode).toBe(200);
    const { results } = answer.json<{ results: Record<string, unknown>[] }>();
    expect(results).toHaveLength(8);
    expect(results[0]).toEqual({ id: expect.any(String), duplicate: false, unknown_users: [] });
    expect(results[1]).toMatchObject({ error: { code: 'INVALID_ARGUMENT', field: 'items[1].method' } });
    expect(results[2]).toMatchObject({ error: { code: 'INVALID_ARGUMENT', field: 'items[2].params.duration' } });
    expect(results[3]).toMatchObject({ error: { code: 'INVALID_ARGUMENT', field: 'items[3].params.link' } });
    expect(results[4]).toMatchObject({ error: { code: 'INVALID_ARGUMENT', field: 'items[4].users' } });
    expect(results[5]).toEqual({ id: expect.any(String), duplicate: false, unknown_users: [] });
    expect(results[6]).toMatchObject({ error: { field: 'items[6].idempotency_key' } });
    expect(results[7]).toEqual({ id: expect.any(String), duplicate: false, unknown_users: ['ghost'] });
    expect(await stored()).toBe(before + 2);
    await eventually(async () => {
      const ids = (await inboxOf(account, 'u2')).items.map((i) => i.notification?.id);
      expect(ids).toEqual(expect.arrayContaining([results[0]?.['id'], results[7]?.['id']]));
    });
  });

  it('refuses a bad batch item as its own call is refused: the same field and message', async () => {
    const cases: [string, object][] = [
      ['add_error', { header: 'No text' }],
      ['add_error', { text: 'x', colour: 'red' }],
      ['add_error', { text: 'x', date: 'yesterday' }],
      ['add_call', { text: 'Call', element: { id: 1, type: 'deal' } }],
      ['show_notification', { text: { header: 'Call' }, type: 'call' }],
    ];
    const answer = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/batch',
      bearer: apiKey,
      body: { items: cases.map(([method, params]) => ({ method, params, users: ['u2'] })) },
    });
    const { results } = answer.json<{ results: { error: { field: string; message: string } }[] }>();
    for (const [i, [method, params]] of cases.entries()) {
      const single = errorOf(await post(method, { ...params, users: ['u2'] }));
      const at = `items[${i}].params`;
      expect(results[i]?.error).toEqual({
        code: 'INVALID_ARGUMENT',
        field: `${at}.${single.field}`,
        message: `${at}.${single.message}`,
      });
    }
  });

  it('refuses a batch of more than 1000 items, and one without a key', async () => {
    const item = { method: 'add_error', params: { text: 'x' } };
    const tooMany = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/batch',
      bearer: apiKey,
      body: { items: Array.from({ length: 1001 }, () => item) },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(errorOf(tooMany).field).toBe('items');
    const anonymous = await h.request({ method: 'POST', url: '/api/v1/notifications/batch', body: { items: [item] } });
    expect(anonymous.statusCode).toBe(401);
  });

  it('takes a full batch of 1000 in one request', async () => {
    const before = await stored();
    const items = Array.from({ length: 1000 }, (_, i) => ({
      method: 'add_error',
      params: { text: `Item ${i}` },
      users: ['u1'],
    }));
    const answer = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/batch',
      bearer: apiKey,
      body: { items },
    });
    expect(answer.statusCode).toBe(200);
    const { results } = answer.json<{ results: { id?: string }[] }>();
    expect(results.filter((r) => r.id)).toHaveLength(1000);
    expect(await stored()).toBe(before + 1000);
  });
});
