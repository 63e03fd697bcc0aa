import { PersonTokens } from '@herald/auth';
import { consumerTuning } from '@herald/config';
import {
  DirectoryService as DirectoryDefinition,
  PreferencesService as PreferencesDefinition,
  channelToken,
  topics,
} from '@herald/contracts';
import { openBus, openDatabase, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import { ChangeFeed } from './change-feed.js';
import type { PreferencesConfig } from './config.js';
import { DirectoryCache } from './directory-cache.js';
import { DirectoryService } from './directory-service.js';
import { PreferencesService } from './preferences-service.js';
import { createRouter, type DeliveryPublisher } from './router.js';
import { adminAccess, directoryServer, preferencesServer } from './rpc-handlers.js';
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
  const admin = adminAccess(config);
  if ('open' in admin) logger.warn('HERALD_DEV_MODE: the admin calls are open to any caller; never in production');
  if ('refused' in admin) logger.warn('no ADMIN_TOKEN: the admin calls are refused');
  return startService(
    'preferences',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      const pool = await openDatabase(steps, config, {
        service: 'preferences',
        migrations: new URL('../migrations/', import.meta.url),
        logger,
      });
      const bus = await openBus(steps, config, {
        service: 'preferences',
        streams: ['NOTIFICATIONS', 'DELIVERIES', 'PREFERENCES', 'DIRECTORY', 'DEADLETTER'],
        logger,
      });

      const store = createStore(pool);
      const directoryCache = new DirectoryCache(store.directory, { ttlMs: config.CACHE_TTL_MS });
      const settingsCache = new SettingsCache(store.settings, { ttlMs: config.CACHE_TTL_MS });
      const personTokens = new PersonTokens(
        async (account) => {
          const keys = await store.directory.verificationKeys(account);
          return keys && { secret: keys.secret ?? undefined, publicJwk: keys.publicJwk ?? undefined };
        },
        { ttlMs: config.CACHE_TTL_MS, maxEntries: 10_000 },
      );
      const changes = await steps.open(
        'change feed',
        async () => {
          const feed = new ChangeFeed({
            bus,
            directory: directoryCache,
            settings: settingsCache,
            personTokens,
            logger,
          });
          await feed.listen();
          return feed;
        },
        (feed) => feed.stop(),
      );

      const publisher: DeliveryPublisher = {
        async publish({ channel, delivery }, context) {
          const accountId = delivery.notification?.accountId ?? '';
          await bus.publish(topics.delivery, [channelToken(channel), accountId], delivery, {
            msgID: delivery.id,
            context,
          });
        },
      };
      // Closing the bus stops its consumers together, each finishing the batches it holds.
      await bus.consume(
        topics.notificationIngested,
        { durable: routerDurable, ...consumerTuning(config, 'ROUTER') },
        createRouter({ directory: directoryCache, settings: settingsCache, publisher, logger }),
      );

      const directory = new DirectoryService({
        store,
        cache: directoryCache,
        changes,
        verifyPersonToken: personTokens.verifyPersonToken,
      });
      const preferences = new PreferencesService({ store, changes });
      const server = await serveRpc(
        steps,
        config,
        [
          {
            name: 'herald.v1.Directory',
            definition: DirectoryDefinition,
            implementation: directoryServer(directory, { admin, logger }),
          },
          {
            name: 'herald.v1.Preferences',
            definition: PreferencesDefinition,
            implementation: preferencesServer(preferences, logger),
          },
        ],
        logger,
      );
      return { port: server.port, metricsPort };
    },
    { signal },
  );
}
