import { Bus } from '@herald/bus';
import { consumerTuning, grpcTls } from '@herald/config';
import {
  DirectoryService as DirectoryDefinition,
  PreferencesService as PreferencesDefinition,
  channelToken,
  topics,
} from '@herald/contracts';
import { createPool, migrate, type Pool } from '@herald/db';
import { serverCredentials, startRpcServer, type RpcServer } from '@herald/rpc';
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
  /** Reports not-serving, finishes in-flight calls and batches, drains NATS, closes the pool. */
  stop(): Promise<void>;
}

/** The durable consumer of the router: its replicas share the notifications. */
export const routerDurable = 'preferences-router';

export async function startPreferences(config: PreferencesConfig, logger: Logger): Promise<RunningPreferences> {
  const admin = adminAccess(config);
  if ('open' in admin) logger.warn('HERALD_DEV_MODE: the admin calls are open to any caller; never in production');
  if ('refused' in admin) logger.warn('no ADMIN_TOKEN: the admin calls are refused');
  await migrate({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    dir: new URL('../migrations/', import.meta.url),
    logger,
  });
  const pool = createPool({ url: config.DATABASE_URL, schema: config.DB_SCHEMA, applicationName: 'preferences' });
  let bus: Bus | undefined;
  let rpc: RpcServer | undefined;
  let changes: ChangeFeed | undefined;
  try {
    bus = await Bus.connect({
      url: config.NATS_URL,
      credentials: { user: config.NATS_USER, password: config.NATS_PASSWORD, credsFile: config.NATS_CREDS },
      namespace: config.HERALD_NAMESPACE,
      replicas: config.NATS_STREAM_REPLICAS,
      name: 'preferences',
      logger,
    });
    await bus.ensureStreams(['NOTIFICATIONS', 'DELIVERIES', 'PREFERENCES', 'DIRECTORY', 'DEADLETTER']);

    const store = createStore(pool);
    const directoryCache = new DirectoryCache(store.directory, { ttlMs: config.CACHE_TTL_MS });
    const settingsCache = new SettingsCache(store.settings, { ttlMs: config.CACHE_TTL_MS });
    changes = new ChangeFeed({ bus, directory: directoryCache, settings: settingsCache, logger });
    await changes.listen();

    const connected = bus;
    const publisher: DeliveryPublisher = {
      async publish({ channel, delivery }, context) {
        const accountId = delivery.notification?.accountId ?? '';
        await connected.publish(topics.delivery, [channelToken(channel), accountId], delivery, {
          msgID: delivery.id,
          context,
        });
      },
    };
    await bus.consume(
      topics.notificationIngested,
      {
        durable: routerDurable,
        ...consumerTuning(config, 'ROUTER'),
      },
      createRouter({ directory: directoryCache, settings: settingsCache, publisher, logger }),
    );

    const directory = new DirectoryService({ store, cache: directoryCache, changes });
    const preferences = new PreferencesService({ store, changes });
    rpc = await startRpcServer({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      credentials: serverCredentials(grpcTls(config)),
      services: [
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
    });
  } catch (err) {
    await release(logger, rpc, changes, bus, pool);
    throw err;
  }

  const server = rpc;
  const connected = bus;
  const feed = changes;
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    stop() {
      stopping ??= release(logger, server, feed, connected, pool);
      return stopping;
    },
  };
}

/** Stops in order: no new calls, then no new messages (in-flight batches finish), then the pool. */
async function release(
  logger: Logger,
  rpc: RpcServer | undefined,
  changes: ChangeFeed | undefined,
  bus: Bus | undefined,
  pool: Pool,
): Promise<void> {
  try {
    await rpc?.shutdown();
    await changes?.stop();
    await bus?.close();
  } finally {
    await pool.end();
    logger.info('preferences stopped');
  }
}
