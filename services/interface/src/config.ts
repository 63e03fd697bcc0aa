import { databaseShape, env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50053),
  ...databaseShape('interface'),
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
