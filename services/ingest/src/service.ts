import { follow } from '@herald/bus';
import { grpcTls } from '@herald/config';
import { topics } from '@herald/contracts';
import { channelCredentials } from '@herald/rpc';
import { openBus, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import type { IngestConfig } from './config.js';
import { BusPublisher } from './bus-publisher.js';
import { CachedAuthorizer } from './cached-authorizer.js';
import { DirectoryAuthorizer } from './directory-client.js';
import { Ingest } from './ingest.js';
import { ingestRpc } from './ingest-rpc.js';

export interface RunningIngest {
  readonly port: number;
  readonly metricsPort: number;
  /** Reports not-serving, finishes in-flight calls, drains NATS; idempotent. */
  stop(): Promise<void>;
}

export function startIngest(config: IngestConfig, logger: Logger, signal?: AbortSignal): Promise<RunningIngest> {
  return startService(
    'ingest',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      const bus = await openBus(steps, config, { service: 'ingest', streams: ['NOTIFICATIONS', 'DIRECTORY'], logger });
      const directory = await steps.open(
        'directory client',
        async () =>
          new DirectoryAuthorizer(
            config.PREFERENCES_ADDR,
            config.AUTHORIZE_DEADLINE_MS,
            channelCredentials(grpcTls(config)),
          ),
        (d) => d.close(),
      );
      const authorizer = new CachedAuthorizer(
        directory,
        {
          ttlMs: config.AUTH_CACHE_TTL_MS,
          maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
          usersTtlMs: config.AUTH_USERS_TTL_MS,
          maxUsers: config.AUTH_USERS_MAX_ENTRIES,
        },
        logger,
      );
      await steps.open(
        'directory changes',
        () => follow(bus, topics.directoryChanged, (change) => authorizer.forgetAccount(change.accountId), logger),
        (changes) => changes.stop(),
      );
      const ingest = new Ingest(authorizer, new BusPublisher(bus));
      const server = await serveRpc(steps, config, [ingestRpc(ingest, logger)], logger);
      return { port: server.port, metricsPort };
    },
    { signal },
  );
}
