import { Bus } from '@herald/bus';
import { topics } from '@herald/contracts';
import { startRpcServer } from '@herald/rpc';
import { serveMetrics, startService } from '@herald/runtime';
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
      const metrics = await serveMetrics(steps, config, logger);
      const bus = await steps.open(
        'NATS',
        () =>
          Bus.connect({
            url: config.NATS_URL,
            namespace: config.HERALD_NAMESPACE,
            replicas: config.NATS_STREAM_REPLICAS,
            name: 'ingest',
            logger,
          }),
        (b) => b.close(),
      );
      await steps.run('streams', () => bus.ensureStreams(['NOTIFICATIONS']));
      const directory = await steps.open(
        'directory client',
        async () => new DirectoryAuthorizer(config.PREFERENCES_ADDR, config.AUTHORIZE_DEADLINE_MS),
        (d) => d.close(),
      );
      const authorizer = new CachedAuthorizer(directory, {
        ttlMs: config.AUTH_CACHE_TTL_MS,
        maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
      });
      bus.subscribe(topics.directoryChanged, [], (change) => authorizer.forgetAccount(change.accountId));
      const ingest = new Ingest(authorizer, new BusPublisher(bus));
      const server = await steps.open(
        'gRPC server',
        () =>
          startRpcServer({
            host: config.GRPC_HOST,
            port: config.GRPC_PORT,
            services: [ingestRpc(ingest, logger)],
            logger,
          }),
        (s) => s.shutdown(),
      );
      return { port: server.port, metricsPort: metrics.port };
    },
    { signal },
  );
}
