import { z } from 'zod';
import { consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50053, 9453),
  ...databaseShape('interface'),
  /** The inbox writer: deliveries written to the inbox in one INSERT per batch. */
  ...consumerShape('INBOX'),
  /** Items read more than this many days ago are removed, with their delivery log; 0 keeps them all. */
  INBOX_RETENTION_DAYS: z.coerce.number().int().min(0).default(90),
  /** Between two retention sweeps, in milliseconds. */
  INBOX_RETENTION_INTERVAL_MS: env.positiveInt(60_000),
  /** Most items one retention statement removes: short transactions, short locks. */
  INBOX_RETENTION_BATCH: env.positiveInt(1_000),
};

export type InterfaceConfig = ReturnType<typeof loadInterfaceConfig>;

export function loadInterfaceConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
