import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import type { Bus } from '@herald/bus';
import type { DeadLetter, InboxRead, LiveEvent } from '@herald/contracts';
import { InboxClient, InboxOrder, topics, type Delivery, type ListRequest } from '@herald/contracts';
import { callUnary, clientOptions, type UnaryMethod } from '@herald/rpc';
import {
  dropSchemas,
  isolatedBus,
  buildDelivery,
  eventually,
  fieldOf,
  rejection,
  testEnv,
  testLogger,
  uniqueName,
  within,
} from '@herald/testing';
import { deliveryRef, reportOutcome } from '@herald/channel';
import { loadInterfaceConfig, startInterface, type RunningInterface } from '@herald/interface';

const account = 'acme';

function delivery(id: string, user: string, occurredAt: Date, text?: string): Delivery {
  return buildDelivery({
    accountId: account,
    userId: user,
    notificationId: id,
    occurredAt,
    ...(text ? { text } : {}),
  });
}

describe('interface: the inbox', () => {
  const schema = uniqueName('inbox_');
  let service: RunningInterface;
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let client: InboxClient;
  const call = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> =>
    callUnary(method.bind(client), request, { deadlineMs: 5_000 });

  beforeAll(async () => {
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('inbox-test'));
    service = await startInterface(
      {
        ...loadInterfaceConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        INBOX_MAX_TRIES: 2,
        INBOX_RETRY_BASE_MS: 50,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
    client = new InboxClient(`127.0.0.1:${service.port}`, ...clientOptions());
  });

  afterAll(async () => {
    client.close();
    await service.stop();
    await cleanup();
    await dropSchemas(schema);
  });

  /** A page of u1's inbox, newest first, unless the request says otherwise. */
  const list = (fields: Partial<ListRequest>) =>
    call(client.list, {
      accountId: account,
      userId: 'u1',
      order: InboxOrder.INBOX_ORDER_NEWEST,
      pageSize: 10,
      cursor: '',
      ...fields,
    });
  const publish = (d: Delivery, msgID = d.id) => bus.publish(topics.delivery, ['interface', account], d, { msgID });

  it('stores each delivery once, announces it live, and lists unread first by default', async () => {
    const user = uniqueName('u');
    const live: LiveEvent[] = [];
    bus.subscribe(topics.live, [account, user], (event) => live.push(event));
    await bus.nc.flush();
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 4; i++) await publish(delivery(`n${i}-${user}`, user, new Date(base + i * 60_000)));
    // The same notification again under another message id: a redelivery must not store it twice.
    await publish(delivery(`n1-${user}`, user, new Date(base + 60_000)), 'redelivered');

    await eventually(async () => {
      const reply = await call(client.unreadCount, { accountId: account, userId: user });
      expect(reply.unreadCount).toBe(4);
    });
    await eventually(() => expect(live.filter((e) => e.event?.$case === 'itemAdded')).toHaveLength(4));

    await call(client.markRead, { accountId: account, userId: user, notificationIds: [`n3-${user}`] });
    const unreadFirst = await list({ userId: user, order: 'INBOX_ORDER_UNSPECIFIED', pageSize: 0 });
    expect(unreadFirst.items.map((i) => i.notification?.id)).toEqual([
      `n2-${user}`,
      `n1-${user}`,
      `n0-${user}`,
      `n3-${user}`,
    ]);
    expect(unreadFirst.unreadCount).toBe(3);
    expect(unreadFirst.items[3]?.readAt).toBeInstanceOf(Date);
    expect(unreadFirst.items[0]?.rendered).toEqual({ title: 'Error', body: `text of n2-${user}`, link: '/contacts' });

    const newest = await list({ userId: user, pageSize: 0 });
    expect(newest.items.map((i) => i.notification?.id)).toEqual([
      `n3-${user}`,
      `n2-${user}`,
      `n1-${user}`,
      `n0-${user}`,
    ]);
  });

  it('pages through the inbox with cursors, in both orders', async () => {
    const user = uniqueName('u');
    const base = Date.UTC(2026, 1, 1);
    const ids = Array.from({ length: 7 }, (_, i) => `p${i}-${user}`);
    await Promise.all(ids.map((id, i) => publish(delivery(id, user, new Date(base + i * 1000)))));
    await eventually(async () => {
      expect((await call(client.unreadCount, { accountId: account, userId: user })).unreadCount).toBe(7);
    });
    await call(client.markRead, { accountId: account, userId: user, notificationIds: [ids[6]!, ids[5]!] });

    for (const [order, expected] of [
      [InboxOrder.INBOX_ORDER_UNREAD_FIRST, [4, 3, 2, 1, 0, 6, 5]],
      [InboxOrder.INBOX_ORDER_NEWEST, [6, 5, 4, 3, 2, 1, 0]],
    ] as const) {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const page = await list({ userId: user, order, pageSize: 3, cursor });
        seen.push(...page.items.map((i) => i.notification!.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(expected.map((i) => ids[i]));
    }
  });

  it('publishes inbox.read when items are read, and mark-all-read empties the unread count', async () => {
    const user = uniqueName('u');
    const reads: InboxRead[] = [];
    bus.subscribe(topics.inboxRead, [account, user], (event) => reads.push(event));
    await bus.nc.flush();
    await publish(delivery(`r1-${user}`, user, new Date()));
    await publish(delivery(`r2-${user}`, user, new Date()));
    await eventually(async () => {
      expect((await call(client.unreadCount, { accountId: account, userId: user })).unreadCount).toBe(2);
    });

    const first = await call(client.markRead, {
      accountId: account,
      userId: user,
      notificationIds: [`r1-${user}`, 'missing'],
    });
    // 'missing' is no item of this user: it is not among the found.
    expect(first).toEqual({ updated: 1, unreadCount: 1, foundIds: [`r1-${user}`] });
    const all = await call(client.markAllRead, { accountId: account, userId: user });
    expect(all).toEqual({ updated: 1, unreadCount: 0, foundIds: [] });

    await eventually(() => expect(reads).toHaveLength(2));
    expect(reads[0]).toMatchObject({ notificationIds: [`r1-${user}`], all: false, unreadCount: 1 });
    expect(reads[1]).toMatchObject({ all: true, unreadCount: 0 });
  });

  it('stores each read once: a msgID from what was read, so a repeat announces nothing new', async () => {
    const user = uniqueName('u');
    await publish(delivery(`d1-${user}`, user, new Date()));
    await publish(delivery(`d2-${user}`, user, new Date()));
    await eventually(async () => {
      expect((await call(client.unreadCount, { accountId: account, userId: user })).unreadCount).toBe(2);
    });
    const storedReads = async (): Promise<number> => {
      const subject = bus.subject(topics.inboxRead, account, user);
      const info = await bus.jsm.streams.info(bus.streamName('INBOX'), { subjects_filter: subject });
      return info.state.subjects?.[subject] ?? 0;
    };

    const markD1 = { accountId: account, userId: user, notificationIds: [`d1-${user}`] };
    await call(client.markRead, markD1);
    await call(client.markRead, markD1);
    expect(await storedReads()).toBe(1);

    expect(await call(client.markAllRead, { accountId: account, userId: user })).toEqual({
      updated: 1,
      unreadCount: 0,
      foundIds: [],
    });
    expect(await call(client.markAllRead, { accountId: account, userId: user })).toEqual({
      updated: 0,
      unreadCount: 0,
      foundIds: [],
    });
    expect(await storedReads()).toBe(2);

    // Something new read is a new event.
    await publish(delivery(`d3-${user}`, user, new Date()));
    await eventually(async () => {
      expect((await call(client.unreadCount, { accountId: account, userId: user })).unreadCount).toBe(1);
    });
    await call(client.markAllRead, { accountId: account, userId: user });
    expect(await storedReads()).toBe(3);
  });

  it('refuses bad requests with INVALID_ARGUMENT naming the field', async () => {
    const cases: [string, Promise<unknown>][] = [
      ['page_size', list({ pageSize: 1000 })],
      ['cursor', list({ cursor: 'garbage' })],
      [
        'cursor',
        list({
          // A date JavaScript holds but PostgreSQL cannot.
          cursor: Buffer.from(
            JSON.stringify({ o: 'newest', r: false, t: '-271821-04-20T00:00:00.000Z', id: 'n1' }),
          ).toString('base64url'),
        }),
      ],
      ['user_id', call(client.unreadCount, { accountId: account, userId: 'no spaces' })],
      ['notification_ids[0]', call(client.markRead, { accountId: account, userId: 'u1', notificationIds: ['n\0'] })],
      ['notification_ids', call(client.markRead, { accountId: account, userId: 'u1', notificationIds: [] })],
      ['notification_id', call(client.listDeliveries, { accountId: account, userId: 'u1', notificationId: '' })],
    ];
    for (const [field, promise] of cases) {
      const err = await rejection(promise);
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(fieldOf(err)).toBe(field);
      expect(err.details).toContain(field);
    }
  });

  it('dead-letters a delivery that can never be stored, and keeps storing the next ones', async () => {
    const user = uniqueName('u');
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    await bus.nc.flush();
    const broken = delivery(`bad-${user}`, user, new Date());
    broken.recipient = undefined;
    await publish(broken);
    await publish(delivery(`good-${user}`, user, new Date()));
    await eventually(() => expect(dead).toHaveLength(1));
    expect(dead[0]?.reason).toContain('recipient.user_id');
    expect(dead[0]?.subject).toBe(`deliveries.interface.${account}`);
    const page = await within(
      eventually(async () => {
        const reply = await list({ userId: user });
        expect(reply.items).toHaveLength(1);
        return reply;
      }),
      15_000,
      'the good delivery',
    );
    expect(page.items[0]?.notification?.id).toBe(`good-${user}`);
  });

  it('serves Prometheus metrics and a health check on its metrics port', async () => {
    await call(client.unreadCount, { accountId: account, userId: uniqueName('u') });
    const base = `http://127.0.0.1:${service.metricsPort}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toMatch(
      /herald_rpc_server_duration_seconds_count\{method="herald.v1.Inbox\/UnreadCount",code="OK"\} [1-9]/,
    );
    expect(text).toMatch(
      /herald_rpc_server_duration_seconds_bucket\{le="0.1",method="herald.v1.Inbox\/UnreadCount",code="OK"\}/,
    );
    expect(text).toMatch(/herald_consumer_pending_messages\{stream="\w+_DELIVERIES",consumer="interface-inbox"\} \d+/);
    expect(text).toMatch(
      /herald_consumer_redelivered_messages\{stream="\w+_DELIVERIES",consumer="interface-inbox"\} \d+/,
    );
    expect(text).toMatch(/herald_dead_letters_total\{consumer="interface-inbox"\} [1-9]/);
    expect(text).toMatch(/herald_db_pool_clients\{pool="interface",state="total"\} [1-9]/);
    expect(text).toMatch(/herald_db_pool_clients\{pool="interface",state="waiting"\} \d+/);
    expect(text).toMatch(/process_cpu_user_seconds_total \d/);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('keeps the delivery log of each item: delivered, failed and skipped, each outcome once', async () => {
    const user = uniqueName('u');
    const id = `log-${user}`;
    const ref = (channel: 'email' | 'mobile' | 'browser') => {
      const d = delivery(id, user, new Date());
      return deliveryRef({
        ...d,
        id: `${id}.${user}.${channel}`,
        channel: ({ email: 'CHANNEL_EMAIL', mobile: 'CHANNEL_MOBILE', browser: 'CHANNEL_BROWSER' } as const)[channel],
      });
    };
    const t0 = new Date(Date.UTC(2026, 0, 1, 9));
    const later = (s: number) => new Date(t0.getTime() + s * 1000);
    await reportOutcome(bus, ref('email'), { status: 'skipped', reason: 'digest' }, t0);
    await reportOutcome(bus, ref('mobile'), { status: 'failed', reason: 'unregistered token', tries: 1 }, later(1));
    await reportOutcome(bus, ref('email'), { status: 'delivered', tries: 1, providerMessageId: '<m1@x>' }, later(2));
    // Reported again, as a redelivered message would: stored once.
    await reportOutcome(bus, ref('email'), { status: 'delivered', tries: 1, providerMessageId: '<m1@x>' }, later(3));
    const reply = await eventually(async () => {
      const r = await call(client.listDeliveries, { accountId: account, userId: user, notificationId: id });
      expect(r.outcomes).toHaveLength(3);
      return r;
    });
    expect(reply.outcomes.map((o) => [o.channel, o.status, o.reason, o.tries, o.providerMessageId])).toEqual([
      ['CHANNEL_EMAIL', 'DELIVERY_STATUS_SKIPPED', 'digest', 0, ''],
      ['CHANNEL_MOBILE', 'DELIVERY_STATUS_FAILED', 'unregistered token', 1, ''],
      ['CHANNEL_EMAIL', 'DELIVERY_STATUS_DELIVERED', '', 1, '<m1@x>'],
    ]);
    expect(reply.outcomes[0]?.deliveryId).toBe(`${id}.${user}.email`);
    const other = await rejection(
      call(client.listDeliveries, { accountId: account, userId: 'someone-else', notificationId: id }),
    );
    expect(other.code).toBe(status.NOT_FOUND);
  });
});
