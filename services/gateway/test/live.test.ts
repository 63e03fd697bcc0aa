import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Bus } from '@herald/bus';
import { EVERY_USER, InboxClient, ProviderKind, topics, type Delivery, type Popup } from '@herald/contracts';
import { loadInterfaceConfig, startInterface, type RunningInterface } from '@herald/interface';
import { callUnary, clientOptions } from '@herald/rpc';
import {
  dropSchemas,
  eventually,
  freePort,
  buildDelivery,
  isolatedBus,
  testEnv,
  testLogger,
  uniqueName,
  within,
} from '@herald/testing';
import { closeCodes, GrpcLiveInbox } from '../src/index.js';
import { sseClient, startGateway, Tokens, webSocketClient, type Gateway, type LiveClient } from './live-server.js';

const account = 'acme';

describe('gateway: the live feed', () => {
  const schema = uniqueName('live_inbox_');
  const tokens = new Tokens();
  let namespace: string;
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let service: RunningInterface;
  let client: InboxClient;
  let inbox: GrpcLiveInbox;
  let gateway: Gateway;
  const gateways: Gateway[] = [];
  const clients: LiveClient[] = [];

  const start = async (limits = {}): Promise<Gateway> => {
    const started = await startGateway(namespace, tokens, inbox, limits);
    gateways.push(started);
    return started;
  };
  const open = async (connecting: Promise<LiveClient>): Promise<LiveClient> => {
    const opened = await connecting;
    clients.push(opened);
    return opened;
  };

  beforeAll(async () => {
    ({ bus, namespace, cleanup } = await isolatedBus('live-test'));
    service = await startInterface(
      {
        ...loadInterfaceConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
    client = new InboxClient(`127.0.0.1:${service.port}`, ...clientOptions());
    inbox = new GrpcLiveInbox(client, { deadlineMs: 5_000, maxItems: 500 });
    gateway = await start();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const g of gateways) await g.close();
    client.close();
    await service.stop();
    await cleanup();
    await dropSchemas(schema);
  });

  /** A new item for the user, through the interface service as the router sends it. */
  const deliver = async (user: string, id = uniqueName('n'), occurredAt = new Date()): Promise<string> => {
    const delivery: Delivery = buildDelivery({ accountId: account, userId: user, notificationId: id, occurredAt });
    await bus.publish(topics.delivery, ['interface', account], delivery, { msgID: delivery.id });
    return id;
  };
  const stored = (user: string, count: number) =>
    eventually(async () => {
      const reply = await callUnary(
        client.list.bind(client),
        { accountId: account, userId: user, order: 'INBOX_ORDER_NEWEST', pageSize: 200, cursor: '' },
        { deadlineMs: 5_000 },
      );
      expect(reply.items).toHaveLength(count);
    });
  /** A popup, published as ingest publishes one. */
  const popup = (user: string, text = 'Call from +1 555'): Popup => {
    const value: Popup = {
      id: uniqueName('p'),
      accountId: account,
      provider: { id: 'p1', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Telephony', iconUrl: '' },
      date: new Date(),
      kind: { $case: 'notification', value: { type: 'POPUP_TYPE_CALL', header: 'Incoming call', text } },
    };
    bus.publishCore(topics.live, [account, user], { event: { $case: 'popup', value } });
    return value;
  };
  const markRead = (user: string, ids: string[]) =>
    callUnary(
      client.markRead.bind(client),
      { accountId: account, userId: user, notificationIds: ids },
      { deadlineMs: 5_000 },
    );

  describe.each([
    ['WebSocket', webSocketClient],
    ['Server-Sent Events', sseClient],
  ])('over %s', (_name, connect) => {
    it('sends the unread count, then every item, popup and read of the user as it happens', async () => {
      const user = uniqueName('u');
      const live = await open(connect(gateway.url, tokens.issue(account, user)));
      expect((await live.frames.next()).data).toEqual({ unread_count: 0 });

      const id = await deliver(user);
      const item = await live.frames.next();
      expect(item).toMatchObject({ type: 'item', id });
      expect(item.data).toEqual({
        id,
        provider: { id: 'p1', name: 'Telephony', icon_url: null },
        kind: 'error',
        header: 'Error',
        text: `text of ${id}`,
        link: '/contacts',
        date: expect.any(String),
        read_at: null,
        call: null,
      });

      const sent = popup(user);
      const shown = await live.frames.next();
      expect(shown.type).toBe('popup');
      expect(shown.id).toBe(`${id}/2`);
      expect(shown.data).toMatchObject({
        id: sent.id,
        kind: 'notification',
        type: 'call',
        header: 'Incoming call',
        text: 'Call from +1 555',
      });

      await markRead(user, [id]);
      const read = await live.frames.next();
      expect(read).toMatchObject({ type: 'read', data: { ids: [id], all: false } });
      expect(await live.frames.next()).toMatchObject({ type: 'unread_count', data: { unread_count: 0 } });
    });
  });

  it('sends popups for every user of the account to each connected user', async () => {
    const [ann, bob] = [uniqueName('u'), uniqueName('u')];
    const a = await open(webSocketClient(gateway.url, tokens.issue(account, ann)));
    const b = await open(sseClient(gateway.url, tokens.issue(account, bob)));
    const sent = popup(EVERY_USER, 'Maintenance at noon');
    for (const live of [a, b]) {
      expect((await live.frames.nextOf('popup')).data).toMatchObject({ id: sent.id, text: 'Maintenance at noon' });
    }
  });

  it('reaches every tab and device of a user through any replica, one NATS subscription per user per replica', async () => {
    const other = await start();
    const subscribe = jest.spyOn(other.bus, 'subscribe');
    const [user, colleague] = [uniqueName('u'), uniqueName('u')];
    const token = tokens.issue(account, user);
    const here = await open(webSocketClient(gateway.url, token));
    const tabs = [
      await open(webSocketClient(other.url, token)),
      await open(sseClient(other.url, token)),
      await open(webSocketClient(other.url, token)),
    ];
    await open(webSocketClient(other.url, tokens.issue(account, colleague)));
    // The user, the colleague, and the account's live.<account>._all.
    expect(subscribe).toHaveBeenCalledTimes(3);

    const id = await deliver(user);
    for (const live of [here, ...tabs]) expect(await live.frames.nextOf('item')).toMatchObject({ id });

    for (const tab of tabs) tab.close();
    await eventually(() => expect(other.open.value).toBe(1));
    const subscriptions = subscribe.mock.results.map((r) => r.value as { isClosed(): boolean });
    expect(subscriptions.filter((s) => s.isClosed())).toHaveLength(1);
  });

  it('sends a reconnecting client the items it missed, from the inbox, then goes on live', async () => {
    const user = uniqueName('u');
    const token = tokens.issue(account, user);
    const first = await open(webSocketClient(gateway.url, token));
    const seen = await deliver(user);
    expect(await first.frames.nextOf('item')).toMatchObject({ id: seen });
    popup(user);
    const lastEventId = (await first.frames.nextOf('popup')).id;
    expect(lastEventId).toBe(`${seen}/2`);
    first.close();

    const base = Date.now();
    const missed = [await deliver(user, uniqueName('n'), new Date(base + 1_000))];
    missed.push(await deliver(user, uniqueName('n'), new Date(base + 2_000)));
    await stored(user, 3);

    const again = await open(webSocketClient(gateway.url, token, { last_event_id: lastEventId }));
    expect((await again.frames.next()).id).toBe(missed[0]);
    expect((await again.frames.next()).id).toBe(missed[1]);
    expect(await again.frames.next()).toMatchObject({ type: 'unread_count', data: { unread_count: 3 } });
    const next = await deliver(user, uniqueName('n'), new Date(base + 3_000));
    expect(await again.frames.next()).toMatchObject({ type: 'item', id: next });

    // An EventSource sends the id in the Last-Event-ID header.
    const events = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `${gateway.url}?access_token=${token}`,
        { headers: { accept: 'text/event-stream', 'last-event-id': missed[0]! } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('event: unread_count')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(events).toContain(`retry: 2000\n\nid: ${missed[1]}\nevent: item\ndata: {"id":"${missed[1]}"`);
    expect(events).toContain(`id: ${next}\nevent: item\n`);
    expect(events).toContain(`id: ${next}/1\nevent: unread_count\ndata: {"unread_count":4}\n\n`);
  });

  it('keeps nothing of the upgrade request once a WebSocket is live', async () => {
    // A collection on demand, as a heap snapshot would make one.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    let upgrade: WeakRef<IncomingMessage> | undefined;
    gateway.app.server.once('upgrade', (request: IncomingMessage) => {
      upgrade = new WeakRef(request);
    });
    const live = await open(webSocketClient(gateway.url, tokens.issue(account, uniqueName('u'))));
    expect(await live.frames.next()).toMatchObject({ type: 'unread_count' });
    expect(upgrade).toBeDefined();
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(upgrade?.deref()).toBeUndefined();
  });

  it('refuses a missing or unknown token with 401 and subscribes to nothing', async () => {
    const subscribe = jest.spyOn(gateway.bus, 'subscribe');
    await expect(webSocketClient(gateway.url, 'forged')).rejects.toMatchObject({ status: 401 });
    await expect(sseClient(gateway.url, 'forged')).rejects.toMatchObject({ status: 401 });
    const response = await fetch(gateway.url, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(401);
    expect(subscribe).not.toHaveBeenCalled();
    subscribe.mockRestore();
  });

  it('refuses a plain GET with 406 and a malformed last event id with 400', async () => {
    const token = tokens.issue(account, uniqueName('u'));
    const plain = await fetch(`${gateway.url}?access_token=${token}`);
    expect(plain.status).toBe(406);
    const malformed = await fetch(`${gateway.url}?access_token=${token}&last_event_id=${encodeURIComponent('a b')}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(malformed.status).toBe(400);
  });

  it('limits the live connections of one user', async () => {
    const limited = await start({ maxConnectionsPerUser: 2 });
    const token = tokens.issue(account, uniqueName('u'));
    await open(webSocketClient(limited.url, token));
    await open(sseClient(limited.url, token));
    await expect(webSocketClient(limited.url, token)).rejects.toMatchObject({ status: 429 });
    await expect(sseClient(limited.url, token)).rejects.toMatchObject({ status: 429 });
    expect(limited.open.value).toBe(2);
  });

  it('tells a client to come back later when the inbox is down, and keeps no subscription', async () => {
    const down = new InboxClient(`127.0.0.1:${await freePort()}`, ...clientOptions());
    const cut = await startGateway(namespace, tokens, new GrpcLiveInbox(down, { deadlineMs: 2_000, maxItems: 10 }));
    gateways.push(cut);
    const token = tokens.issue(account, uniqueName('u'));
    const live = await open(webSocketClient(cut.url, token));
    expect(await within(live.closed!, 10_000, 'the WebSocket to close')).toBe(closeCodes.tryAgainLater);
    const response = await fetch(`${cut.url}?access_token=${token}`, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(503);
    await eventually(() => expect(cut.open.value).toBe(0));
    down.close();
  });

  it('drops a client that does not read, whatever is published to it', async () => {
    const small = await start({ maxBufferedBytes: 256 * 1024 });
    const user = uniqueName('u');
    const token = tokens.issue(account, user);
    // Raw sockets that never read: the server's writes pile up until the limit.
    const upgrade = netConnect(Number(new URL(small.url).port), '127.0.0.1');
    upgrade.write(
      `GET ${new URL(small.url).pathname}?access_token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const stream = netConnect(Number(new URL(small.url).port), '127.0.0.1');
    stream.write(
      `GET ${new URL(small.url).pathname}?access_token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        'Accept: text/event-stream\r\n\r\n',
    );
    for (const socket of [upgrade, stream]) socket.pause();
    await eventually(() => expect(small.open.value).toBe(2));
    const big = 'x'.repeat(60_000);
    await within(
      (async () => {
        while (small.open.value > 0) {
          for (let i = 0; i < 20; i++) popup(user, big);
          await bus.nc.flush();
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
      20_000,
      'both slow clients to be dropped',
    );
    expect(small.open.value).toBe(0);
    upgrade.destroy();
    stream.destroy();
  });
});
