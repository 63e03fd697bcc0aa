import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Bus } from '@herald/bus';
import { topics, type Delivery } from '@herald/contracts';
import {
  dropSchemas,
  eventually,
  exitOf,
  freePort,
  buildDelivery,
  isolatedBus,
  startServiceProcess,
  testEnv,
  uniqueName,
  untilServing,
} from '@herald/testing';

/** Every process started, so that none outlives a failed spec. */
const started: ChildProcess[] = [];

/** These tests run the built services (`tsc -b` runs before the tests) as real processes. */
function startProcess(service: string, env: Record<string, string>): ChildProcess {
  const child = startServiceProcess(service, { env: { GRPC_PORT: '0', METRICS_PORT: '0', ...env } });
  started.push(child);
  return child;
}

function delivery(account: string, user: string, i: number): Delivery {
  return buildDelivery({
    accountId: account,
    userId: user,
    notificationId: `n${i}`,
    occurredAt: new Date(1_700_000_000_000 + i),
  });
}

describe('services as processes', () => {
  const schema = uniqueName('inbox_');
  /** The schemas of the services started on their own. */
  const schemas: string[] = [];
  const account = 'acme';
  const user = 'u1';
  let bus: Bus;
  let namespace: string;
  let cleanup: () => Promise<void>;
  let db: pg.Client;
  const env = () => ({
    HERALD_NAMESPACE: namespace,
    DB_SCHEMA: schema,
    INBOX_ACK_WAIT_MS: '1000',
    INBOX_BATCH_SIZE: '100',
  });
  const stored = async (): Promise<number> => {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".inbox_items`);
    return rows[0]?.n ?? 0;
  };
  // A few hundred publishes in flight at a time: thousands at once can outwait the PubAck timeout on a busy machine.
  const publishMany = async (from: number, count: number): Promise<void> => {
    for (let start = from; start < from + count; start += 250) {
      const batch: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(start + 250, from + count); i++) {
        batch.push(
          bus.publish(topics.delivery, ['interface', account], delivery(account, user, i), { msgID: `d${i}` }),
        );
      }
      await Promise.all(batch);
    }
  };
  const consumerInfo = () => bus.jsm.consumers.info(bus.streamName('DELIVERIES'), 'interface-inbox');

  beforeAll(async () => {
    ({ bus, namespace, cleanup } = await isolatedBus('process-test'));
    await bus.ensureStreams(['DELIVERIES']);
    db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(started.map(exitOf));
    await db.end();
    await cleanup();
    await dropSchemas(schema, ...schemas);
  });

  it('loses nothing and stores nothing twice when the interface is killed with SIGKILL mid-stream', async () => {
    const total = 3000;
    await publishMany(0, total);
    const first = startProcess('interface', env());
    await eventually(async () => expect(await stored()).toBeGreaterThan(0), 30_000, 20);
    first.kill('SIGKILL');
    expect((await exitOf(first)).signal).toBe('SIGKILL');
    const left = await stored();

    const second = startProcess('interface', env());
    try {
      await eventually(async () => expect(await stored()).toBe(total), 60_000);
      await eventually(async () => {
        const info = await consumerInfo();
        expect(info.num_pending).toBe(0);
        expect(info.num_ack_pending).toBe(0);
      }, 30_000);
      // Killed mid-stream: it had stored part of the stream, not all of it.
      expect(left).toBeLessThan(total);
    } finally {
      second.kill('SIGTERM');
      await exitOf(second);
    }
  });

  it('finishes in-flight work on SIGTERM and exits 0', async () => {
    const before = await stored();
    await publishMany(10_000, 2000);
    const child = startProcess('interface', env());
    await eventually(async () => expect(await stored()).toBeGreaterThan(before), 30_000, 20);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    // Everything it took was stored and acked: nothing waits for a redelivery.
    const info = await consumerInfo();
    expect(info.num_ack_pending).toBe(0);
    expect(await stored()).toBe(before + 2000 - info.num_pending);
  });

  it.each(['preferences', 'interface', 'ingest', 'mobile-push', 'browser-push'])(
    '%s exits 0 on SIGTERM once serving',
    async (service) => {
      const port = await freePort();
      // A schema name takes no hyphen (mobile-push).
      const own = uniqueName(`${service.replaceAll('-', '_')}_`);
      schemas.push(own);
      const child = startProcess(service, {
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: own,
        GRPC_PORT: String(port),
        METRICS_PORT: '0',
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: string) => (stderr += chunk));
      await untilServing(`127.0.0.1:${port}`);
      child.kill('SIGTERM');
      const exit = await exitOf(child);
      expect({ ...exit, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    },
  );
});
