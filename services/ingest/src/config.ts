import { z } from 'zod';
import { env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50051, 9451),
  /** host:port of the preferences service, which owns API keys and users. */
  PREFERENCES_ADDR: z.string().default('127.0.0.1:50052'),
  /** Deadline of the Authorize call made for every request, in milliseconds. */
  AUTHORIZE_DEADLINE_MS: env.positiveInt(2_000),
  /**
   * How long an answer of the directory is reused, in milliseconds; any
   * change to the account drops it at once, and a revocation this replica
   * did not hear of is refused once it expires.
   */
  AUTH_CACHE_TTL_MS: env.positiveInt(5_000),
  AUTH_CACHE_MAX_ENTRIES: env.positiveInt(10_000),
};

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
