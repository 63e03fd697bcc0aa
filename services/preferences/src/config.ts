import { consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50052, 9452),
  ...databaseShape('preferences'),
  /** The Directory's admin calls need `authorization: Bearer <ADMIN_TOKEN>`; unset, they are refused (open in dev mode). */
  ADMIN_TOKEN: env.string(),
  /**
   * How long a cached API key, account or user's settings is trusted, in
   * milliseconds: a revocation reaches every replica within it, even one
   * that missed the announcement.
   */
  CACHE_TTL_MS: env.positiveInt(5_000),
  /** The router: notifications resolved and fanned out per batch. */
  ...consumerShape('ROUTER'),
};

export type PreferencesConfig = ReturnType<typeof loadPreferencesConfig>;

/** Parses the service's environment once, naming every bad variable. */
export function loadPreferencesConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
