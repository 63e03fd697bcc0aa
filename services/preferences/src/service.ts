import { Bus } from '@herald/bus';
import { consumerTuning } from '@herald/config';
import {
  DirectoryService as DirectoryDefinition,
  PreferencesService as PreferencesDefinition,
  channelToken,
  topics,
} from '@herald/contracts';
import { createPool, migrate } from '@herald/db';
import { startRpcServer } from '@herald/rpc';
import { serveMetrics, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import { ChangeFeed } from './change-feed.js';
import type { PreferencesConfig } from './config.js';
import { DirectoryCache } from './directory-cache.js';
import { DirectoryService } from './directory-service.js';
import { PreferencesService } from './preferences-service.js';
import { createRouter, type DeliveryPublisher } from './router.js';
import { directoryServer, preferencesServer } from './rpc-handlers.js';
import { SettingsCache } from './settings-cache.js';
import { createStore } from './store.js';

export interface RunningPreferences {
  /** The gRPC port bound (useful when GRPC_PORT is 0). */
  readonly port: number;
  readonly metricsPort: number;
  /** Reports not-serving, finishes in-flight calls and batches, drains NATS, closes the pool; idempotent. */
  stop(): Promise<void>;
}

/** The durable consumer of the router: its replicas share the notifications. */
export const routerDurable = 'preferences-router';

export function startPreferences(
  config: PreferencesConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningPreferences> {
  return startService(
    'preferences',
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
            applicationName: 'preferences',
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
            name: 'preferences',
            logger,
          }),
        (b) => b.close(),
      );
      metrics.observe({ pool: { name: 'preferences', stats: pool }, consumers: bus });
      await steps.run('streams', () => bus.ensureStreams(['NOTIFICATIONS', 'DELIVERIES', 'PREFERENCES', 'DEADLETTER']));

      const store = createStore(pool);
      const directoryCache = new DirectoryCache(store.directory);
      const settingsCache = new SettingsCache(store.settings);
      const changes = new ChangeFeed({ bus, directory: directoryCache, settings: settingsCache, logger });
      changes.listen();

      const publisher: DeliveryPublisher = {
        async publish({ channel, delivery }, context) {
          const accountId = delivery.notification?.accountId ?? '';
          await bus.publish(topics.delivery, [channelToken(channel), accountId], delivery, {
            msgID: delivery.id,
            context,
          });
        },
      };
      await steps.open(
        'router',
        () =>
          bus.consume(
            topics.notificationIngested,
            { durable: routerDurable, ...consumerTuning(config, 'ROUTER') },
            createRouter({ directory: directoryCache, settings: settingsCache, publisher, logger }),
          ),
        (c) => c.stop(),
      );

      const directory = new DirectoryService({ store, cache: directoryCache, changes });
      const preferences = new PreferencesService({ store, changes });
      const server = await steps.open(
        'gRPC server',
        () =>
          startRpcServer({
            host: config.GRPC_HOST,
            port: config.GRPC_PORT,
            services: [
              {
                name: 'herald.v1.Directory',
                definition: DirectoryDefinition,
                implementation: directoryServer(directory, { adminToken: config.ADMIN_TOKEN, logger }),
              },
              {
                name: 'herald.v1.Preferences',
                definition: PreferencesDefinition,
                implementation: preferencesServer(preferences, logger),
              },
            ],
            logger,
          }),
        (s) => s.shutdown(),
      );
      return { port: server.port, metricsPort: metrics.port };
    },
    { signal },
  );
}
