import { describe, expect, it } from '@jest/globals';
import { createServer, connect as connectTcp, type Server } from 'node:net';
import { once } from 'node:events';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { testEnv, testLogger } from '@herald/testing';
import { startService, StartAbortedError } from './index.js';

function listen(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}

function portOf(server: Server): number {
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('not listening');
  return address.port;
}

/** Whether something accepts connections on the port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('startService', () => {
  it('closes what the earlier steps opened, in reverse order, when a later step fails', async () => {
    const closed: string[] = [];
    let nc: NatsConnection | undefined;
    let pool: pg.Pool | undefined;
    let port = 0;
    const starting = startService('spec', testLogger(), async (steps) => {
      nc = await steps.open(
        'NATS',
        () => connect({ servers: testEnv.natsUrl }),
        async (c) => {
          await c.close();
          closed.push('NATS');
        },
      );
      pool = await steps.open(
        'pool',
        async () => {
          const p = new pg.Pool({ connectionString: testEnv.databaseUrl, max: 2 });
          await p.query('SELECT 1');
          return p;
        },
        async (p) => {
          await p.end();
          closed.push('pool');
        },
      );
      const server = await steps.open('port', listen, async (s) => {
        await new Promise((resolve) => s.close(resolve));
        closed.push('port');
      });
      port = portOf(server);
      await steps.run('a step that fails', () => Promise.reject(new Error('bad configuration')));
      return {};
    });
    await expect(starting).rejects.toThrow('bad configuration');
    expect(closed).toEqual(['port', 'pool', 'NATS']);
    expect(nc?.isClosed()).toBe(true);
    expect(pool?.ended).toBe(true);
    expect(pool?.totalCount).toBe(0);
    expect(await accepting(port)).toBe(false);
  });

  it('stops once however often it is asked, and a cleanup that hangs does not hold the stop', async () => {
    let closes = 0;
    const service = await startService(
      'spec',
      testLogger(),
      async (steps) => {
        steps.defer('counted', () => {
          closes++;
        });
        steps.defer('hangs', () => new Promise<void>(() => undefined));
        return { answer: 42 };
      },
      { closeTimeoutMs: 200 },
    );
    expect(service.answer).toBe(42);
    const first = service.stop();
    expect(service.stop()).toBe(first);
    await first;
    await service.stop();
    expect(closes).toBe(1);
  });

  it('waits for a dependency that is down, and opens it once it is up', async () => {
    let tries = 0;
    const service = await startService('spec', testLogger(), async (steps) => {
      const value = await steps.open(
        'PostgreSQL',
        async () => {
          if (++tries < 3) throw refused();
          return 'connected';
        },
        () => undefined,
      );
      return { value };
    });
    expect(service.value).toBe('connected');
    expect(tries).toBe(3);
    await service.stop();
  });

  it('gives up waiting at the stop signal, and closes what it opened', async () => {
    const abort = new AbortController();
    let tries = 0;
    let closed = false;
    const starting = startService(
      'spec',
      testLogger(),
      async (steps) => {
        steps.defer('earlier', () => {
          closed = true;
        });
        await steps.run('PostgreSQL', () => {
          if (++tries === 2) abort.abort();
          return Promise.reject(refused());
        });
        return {};
      },
      { signal: abort.signal },
    );
    await expect(starting).rejects.toBeInstanceOf(StartAbortedError);
    expect(closed).toBe(true);
  });

  it('does not retry a failure that is not an outage', async () => {
    let tries = 0;
    const starting = startService('spec', testLogger(), async (steps) => {
      await steps.run('config', () => {
        tries++;
        return Promise.reject(new TypeError('not a plain identifier'));
      });
      return {};
    });
    await expect(starting).rejects.toThrow('not a plain identifier');
    expect(tries).toBe(1);
  });
});
