import { Bus } from '@herald/bus';
import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { createPool, migrate } from '@herald/db';
import { startRpcServer } from '@herald/rpc';
import { serveMetrics, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import type { InterfaceConfig } from './config.js';
import { BusInboxEvents } from './bus-events.js';
import { Inbox } from './inbox.js';
import { InboxRepository } from './inbox-repository.js';
import { inboxRpc } from './inbox-rpc.js';

export interface RunningInterface {
  readonly port: number;
  readonly metricsPort: number;
  /** Reports not-serving, finishes in-flight calls and batches, drains NATS, closes the pool; idempotent. */
  stop(): Promise<void>;
}

export function startInterface(
  config: InterfaceConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningInterface> {
  return startService(
    'interface',
    logger,
    async (steps) => {
      const metrics = await serveMetrics(steps, config, logger);
      await steps.run('migrations', () =>
        migrate({
          url: config.DATABASE_URL,
          schema: config.DB_SCHEMA,
          dir: new URL('../migrations/', import.meta.url),
          logger,
        }),
      );
      const pool = await steps.open(
        'PostgreSQL pool',
        async () =>
          createPool({
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            applicationName: 'interface',
            max: config.DB_POOL_SIZE,
            logger,
          }),
        (p) => p.end(),
      );
      const bus = await steps.open(
        'NATS',
        () =>
          Bus.connect({
            url: config.NATS_URL,
            namespace: config.HERALD_NAMESPACE,
            replicas: config.NATS_STREAM_REPLICAS,
            name: 'interface',
            logger,
          }),
        (b) => b.close(),
      );
      metrics.observe({ pool: { name: 'interface', stats: pool }, consumers: bus });
      await steps.run('streams', () => bus.ensureStreams(['DELIVERIES', 'INBOX', 'PREFERENCES', 'DEADLETTER']));
      const inbox = new Inbox(new InboxRepository(pool), new BusInboxEvents(bus));
      await steps.open(
        'inbox consumer',
        () =>
          bus.consume(
            topics.delivery,
            {
              durable: 'interface-inbox',
              filter: [channelToken(Channel.CHANNEL_INTERFACE)],
              ...consumerTuning(config, 'INBOX'),
            },
            (batch) => inbox.store(batch),
          ),
        (c) => c.stop(),
      );
      await steps.open(
        'inbox order consumer',
        () =>
          bus.consume(
            topics.preferencesChanged,
            { durable: 'interface-inbox-order', ...consumerTuning(config, 'INBOX') },
            (batch) => inbox.keepOrders(batch),
          ),
        (c) => c.stop(),
      );
      const server = await steps.open(
        'gRPC server',
        () =>
          startRpcServer({
            host: config.GRPC_HOST,
            port: config.GRPC_PORT,
            services: [inboxRpc(inbox, logger)],
            logger,
          }),
        (s) => s.shutdown(),
      );
      return { port: server.port, metricsPort: metrics.port };
    },
    { signal },
  );
}
