import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import type { Bus } from '@herald/bus';
import { InboxClient, topics, type DeadLetter, type Delivery } from '@herald/contracts';
import { callUnary, clientOptions, type UnaryMethod } from '@herald/rpc';
import {
  dropSchemas,
  eventually,
  exitOf,
  buildDelivery,
  isolatedBus,
  startServiceProcess,
  startTcpProxy,
  testEnv,
  testLogger,
  throughProxy,
  uniqueName,
  within,
  type TcpProxy,
} from '@herald/testing';
import { loadInterfaceConfig, startInterface, type InterfaceConfig, type RunningInterface } from '@herald/interface';

const account = 'acme';

/**
 * PostgreSQL and NATS go away and come back while the interface runs. The
 * machine's servers are shared, so the service reaches them through proxies
 * this spec cuts, never by stopping them.
 */
describe('interface: a dependency out and back', () => {
  const schema = uniqueName('outage_');
  let bus: Bus;
  let namespace: string;
  let cleanup: () => Promise<void>;
  let pgProxy: TcpProxy;
  let natsProxy: TcpProxy;
  let config: InterfaceConfig;
  const running: RunningInterface[] = [];
  const clients: InboxClient[] = [];

  const clientOf = (service: RunningInterface) => {
    const client = new InboxClient(`127.0.0.1:${service.port}`, ...clientOptions());
    clients.push(client);
    const call = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> =>
      callUnary(method.bind(client), request, { deadlineMs: 10_000 });
    return {
      unread: (userId: string) =>
        call(client.unreadCount, { accountId: account, userId }).then((reply) => reply.unreadCount),
      markAllRead: (userId: string) => call(client.markAllRead, { accountId: account, userId }),
    };
  };

  const delivery = (user: string, id: string): Delivery =>
    buildDelivery({ accountId: account, userId: user, notificationId: id });
  const publish = (d: Delivery) => bus.publish(topics.delivery, ['interface', account], d, { msgID: d.id });

  beforeAll(async () => {
    ({ bus, namespace, cleanup } = await isolatedBus('outage-test'));
    const pg = new URL(testEnv.databaseUrl);
    const nats = new URL(testEnv.natsUrl);
    pgProxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    natsProxy = await startTcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) });
    config = {
      ...loadInterfaceConfig({}),
      NATS_URL: throughProxy(testEnv.natsUrl, natsProxy),
      DATABASE_URL: throughProxy(testEnv.databaseUrl, pgProxy),
      HERALD_NAMESPACE: namespace,
      DB_SCHEMA: schema,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      // One try: a message that spent a try on the outage would be dead-lettered.
      INBOX_MAX_TRIES: 1,
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const service of running) await service.stop();
    await Promise.all([pgProxy.close(), natsProxy.close()]);
    await cleanup();
    await dropSchemas(schema);
  });

  it('answers UNAVAILABLE while PostgreSQL is out, holds deliveries without dead-lettering them, and resumes by itself', async () => {
    const service = await startInterface(config, testLogger());
    running.push(service);
    const inbox = clientOf(service);
    const user = uniqueName('u');
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    await publish(delivery(user, `before-${user}`));
    await eventually(async () => expect(await inbox.unread(user)).toBe(1));

    pgProxy.cut();
    await expect(inbox.unread(user)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await publish(delivery(user, `during-${user}`));
    const attemptsAtCut = pgProxy.attempts;
    // The consumer keeps trying the held batch: the proxy sees it come back.
    await eventually(() => expect(pgProxy.attempts).toBeGreaterThan(attemptsAtCut + 2), 15_000);

    pgProxy.restore();
    await within(
      eventually(async () => expect(await inbox.unread(user)).toBe(2), 20_000),
      25_000,
      'the delivery held through the outage',
    );
    expect(dead).toHaveLength(0);
  });

  it('answers UNAVAILABLE when NATS is out, and publishes again once it is back', async () => {
    const [service] = running;
    const inbox = clientOf(service!);
    const user = uniqueName('u');
    await publish(delivery(user, `n-${user}`));
    await eventually(async () => expect(await inbox.unread(user)).toBe(1));

    natsProxy.cut();
    await expect(inbox.markAllRead(user)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    natsProxy.restore();
    await eventually(
      async () => expect(await inbox.markAllRead(user)).toEqual({ updated: 0, unreadCount: 0, foundIds: [] }),
      20_000,
    );
  });

  it('waits for PostgreSQL when started while it is out, then serves', async () => {
    pgProxy.cut();
    const attemptsAtCut = pgProxy.attempts;
    let started: RunningInterface | undefined;
    const starting = startInterface({ ...config, DB_SCHEMA: schema }, testLogger()).then((service) => {
      started = service;
      running.push(service);
      return service;
    });
    await eventually(() => expect(pgProxy.attempts).toBeGreaterThan(attemptsAtCut + 2), 15_000);
    expect(started).toBeUndefined();
    pgProxy.restore();
    const service = await within(starting, 20_000, 'the start once PostgreSQL is back');
    const user = uniqueName('u');
    expect(await clientOf(service).unread(user)).toBe(0);
  });

  it('as a process, keeps waiting for PostgreSQL rather than exiting, and stops cleanly on SIGTERM meanwhile', async () => {
    pgProxy.cut();
    const attemptsAtCut = pgProxy.attempts;
    const child = startServiceProcess('interface', {
      env: {
        DATABASE_URL: config.DATABASE_URL,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: '0',
        METRICS_PORT: '0',
      },
      stdout: 'pipe',
    });
    let logs = '';
    child.stdout?.on('data', (chunk: string) => (logs += chunk));
    try {
      await eventually(() => expect(pgProxy.attempts).toBeGreaterThan(attemptsAtCut + 2), 20_000);
      expect({ exitCode: child.exitCode, logs }).toMatchObject({
        exitCode: null,
        logs: expect.stringContaining('dependency unavailable; waiting'),
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await within(exitOf(child), 15_000, 'the exit')).toEqual({ code: 0, signal: null });
    pgProxy.restore();
  });
});
