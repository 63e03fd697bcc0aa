import { grpcTls } from '@herald/config';
import { Bus, follow } from '@herald/bus';
import { channelCredentials, serverCredentials, startRpcServer } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { IngestConfig } from './config.js';
import { topics } from '@herald/contracts';
import { BusPublisher } from './bus-publisher.js';
import { CachedAuthorizer } from './cached-authorizer.js';
import { DirectoryAuthorizer } from './directory-client.js';
import { Ingest } from './ingest.js';
import { ingestRpc } from './ingest-rpc.js';

export interface RunningIngest {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startIngest(config: IngestConfig, logger: Logger): Promise<RunningIngest> {
  const bus = await Bus.connect({
    url: config.NATS_URL,
    credentials: { user: config.NATS_USER, password: config.NATS_PASSWORD, credsFile: config.NATS_CREDS },
    namespace: config.HERALD_NAMESPACE,
    replicas: config.NATS_STREAM_REPLICAS,
    name: 'ingest',
    logger,
  });
  await bus.ensureStreams(['NOTIFICATIONS', 'DIRECTORY']);
  const directory = new DirectoryAuthorizer(
    config.PREFERENCES_ADDR,
    config.AUTHORIZE_DEADLINE_MS,
    channelCredentials(grpcTls(config)),
  );
  const authorizer = new CachedAuthorizer(directory, {
    ttlMs: config.AUTH_CACHE_TTL_MS,
    maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
  });
  const changes = await follow(
    bus,
    topics.directoryChanged,
    (change) => authorizer.forgetAccount(change.accountId),
    logger,
  );
  const ingest = new Ingest(authorizer, new BusPublisher(bus));
  const server = await startRpcServer({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    credentials: serverCredentials(grpcTls(config)),
    services: [ingestRpc(ingest, logger)],
    logger,
  });
  return {
    port: server.port,
    async stop() {
      await server.shutdown();
      directory.close();
      await changes.stop();
      await bus.close();
      logger.info('ingest stopped');
    },
  };
}
