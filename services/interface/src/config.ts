import { z } from 'zod';
import { env, loadConfig } from '@herald/config';

const shape = {
  NATS_URL: env.natsUrl(),
  DATABASE_URL: env.databaseUrl(),
  HERALD_NAMESPACE: env.namespace(),
  LOG_LEVEL: env.logLevel(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.otlpEndpoint(),
  GRPC_HOST: z.string().default('127.0.0.1'),
  GRPC_PORT: env.port(50053),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case identifier')
    .default('interface'),
  DB_POOL_SIZE: env.positiveInt(10),
  /** Deliveries written to the inbox in one INSERT. */
  INBOX_BATCH_SIZE: env.positiveInt(200),
  INBOX_CONCURRENCY: env.positiveInt(2),
  INBOX_MAX_TRIES: env.positiveInt(5),
  INBOX_ACK_WAIT_MS: env.positiveInt(30_000),
  INBOX_RETRY_BASE_MS: env.positiveInt(1_000),
};

export type InterfaceConfig = ReturnType<typeof loadInterfaceConfig>;

export function loadInterfaceConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
