import { Bus } from '@herald/bus';
import { grpcTls } from '@herald/config';
import type { StreamName } from '@herald/contracts';
import { createPool, migrate, type Pool } from '@herald/db';
import { startMetricsServer, watchConsumers, watchPool } from '@herald/metrics';
import { serverCredentials, startRpcServer, type RpcServer, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { Steps } from './startup.js';

/** The variables of serviceShape and databaseShape (libs/config) these steps read. */
export interface BusConfig {
  NATS_URL: string;
  /** NATS credentials, where the server asks for them: a user and password, or a creds file. */
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  NATS_CREDS?: string | undefined;
  HERALD_NAMESPACE: string;
  NATS_STREAM_REPLICAS: number;
}

export interface DatabaseConfig {
  DATABASE_URL: string;
  DB_SCHEMA: string;
  DB_POOL_SIZE: number;
}

export interface ServingConfig {
  GRPC_HOST: string;
  GRPC_PORT: number;
  METRICS_HOST: string;
  /** 0 for any free port (specs). */
  METRICS_PORT: number;
  /** Mutual TLS between services: all three or none (libs/config checks). */
  GRPC_TLS_CERT?: string | undefined;
  GRPC_TLS_KEY?: string | undefined;
  GRPC_TLS_CA?: string | undefined;
}

/**
 * Opens the service's metrics port: `/metrics` (gRPC calls, consumers, dead
 * letters, the pool, the process) and `/healthz`. First of the steps, so an
 * operator sees a service that waits for a dependency.
 */
export async function serveMetrics(steps: Steps, config: ServingConfig, logger: Logger): Promise<number> {
  const server = await steps.open(
    'metrics server',
    () => startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, logger }),
    (s) => s.close(),
  );
  return server.port;
}

/** Brings the service's schema up to date and opens its pool (DB_POOL_SIZE), reported in the metrics. */
export async function openDatabase(
  steps: Steps,
  config: DatabaseConfig,
  options: { service: string; migrations: URL | readonly URL[]; logger: Logger },
): Promise<Pool> {
  const { service, logger } = options;
  await steps.run('migrations', () =>
    migrate({ url: config.DATABASE_URL, schema: config.DB_SCHEMA, dir: options.migrations, logger }),
  );
  const pool = await steps.open(
    'PostgreSQL pool',
    async () =>
      createPool({
        url: config.DATABASE_URL,
        schema: config.DB_SCHEMA,
        applicationName: service,
        max: config.DB_POOL_SIZE,
        logger,
      }),
    (p) => p.end(),
  );
  steps.defer('pool metrics', watchPool(service, pool));
  return pool;
}

/** Connects to NATS and declares the streams the service uses; its consumers are reported in the metrics. */
export async function openBus(
  steps: Steps,
  config: BusConfig,
  options: { service: string; streams: readonly StreamName[]; logger: Logger },
): Promise<Bus> {
  const bus = await steps.open(
    'NATS',
    () =>
      Bus.connect({
        url: config.NATS_URL,
        credentials: { user: config.NATS_USER, password: config.NATS_PASSWORD, credsFile: config.NATS_CREDS },
        namespace: config.HERALD_NAMESPACE,
        replicas: config.NATS_STREAM_REPLICAS,
        name: options.service,
        logger: options.logger,
      }),
    (b) => b.close(),
  );
  steps.defer('consumer metrics', watchConsumers(bus));
  await steps.run('streams', () => bus.ensureStreams(options.streams));
  return bus;
}

/** The gRPC server, last of the steps: it is the first closed, so calls stop before what they use. */
export function serveRpc(
  steps: Steps,
  config: ServingConfig,
  services: readonly RpcService[],
  logger: Logger,
): Promise<RpcServer> {
  return steps.open(
    'gRPC server',
    () =>
      startRpcServer({
        host: config.GRPC_HOST,
        port: config.GRPC_PORT,
        credentials: serverCredentials(grpcTls(config)),
        services,
        logger,
      }),
    (s) => s.shutdown(),
  );
}
