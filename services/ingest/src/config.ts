import { z } from 'zod';
import { env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50051, 9451),
  /** host:port of the preferences service, which owns API keys and users. */
  PREFERENCES_ADDR: z.string().default('127.0.0.1:50052'),
  /** Deadline of the Authorize call made for every request, in milliseconds. */
  AUTHORIZE_DEADLINE_MS: env.positiveInt(2_000),
  /**
   * How long the directory's answer for a credential is reused, in
   * milliseconds (asked again in the background past half of it); any change
   * to the account drops it at once, and a revocation this replica did not
   * hear of is refused within this long.
   */
  AUTH_CACHE_TTL_MS: env.positiveInt(5_000),
  AUTH_CACHE_MAX_ENTRIES: env.positiveInt(10_000),
  /**
   * How long a recipient is known to be a user of its account, in
   * milliseconds; any change to the account drops it at once.
   */
  AUTH_USERS_TTL_MS: env.positiveInt(300_000),
  AUTH_USERS_MAX_ENTRIES: env.positiveInt(200_000),
};

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
