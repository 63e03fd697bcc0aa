/**
 * The live plugin of the gateway in a minimal Fastify server, for the live
 * benchmark (started by bench/src/live.ts, never by hand). It trusts
 * `?access_token=<user>` to name the user of the bench account: a benchmark
 * measures the feed, not the sign-in.
 *
 *   env: HERALD_NAMESPACE, NATS_URL, INBOX_ADDR, PORT
 */
import Fastify from 'fastify';
import { Bus } from '@herald/bus';
import { InboxClient } from '@herald/contracts';
import { GrpcLiveInbox, livePlugin } from '@herald/gateway';
import { clientOptions } from '@herald/rpc';
import { createLogger } from '@herald/telemetry';
import { benchAccount } from './slice.js';

const env = process.env;

async function main(): Promise<void> {
  const logger = createLogger('bench-gateway', 'warn');
  const bus = await Bus.connect({
    url: env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    namespace: env['HERALD_NAMESPACE'] ?? '',
    name: 'bench-gateway',
    logger,
  });
  const inbox = new InboxClient(env['INBOX_ADDR'] ?? '', ...clientOptions());
  const app = Fastify();
  await app.register(livePlugin, {
    nats: bus,
    authenticate: async (request) => {
      const token = (request.query as { access_token?: string }).access_token;
      if (!token) throw Object.assign(new Error('no token'), { statusCode: 401 });
      return { account: benchAccount, user: token };
    },
    inbox: new GrpcLiveInbox(inbox, { deadlineMs: 10_000, maxItems: 500 }),
    limits: { maxConnectionsPerUser: 100, heartbeatMs: 25_000, maxBufferedBytes: 1 << 20 },
  });
  await app.listen({ host: '127.0.0.1', port: Number(env['PORT']) });
  process.send?.('ready');
  // Memory after a full collection, when the gateway runs with --expose-gc.
  process.on('message', (message) => {
    if (message !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.(process.memoryUsage());
  });
  process.once('SIGTERM', () => {
    void (async () => {
      await app.close();
      inbox.close();
      await bus.close();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
