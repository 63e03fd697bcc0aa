import { databaseShape, env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50052),
  ...databaseShape('preferences'),
  /** When set, the Directory's admin calls need `authorization: Bearer <ADMIN_TOKEN>`. */
  ADMIN_TOKEN: env.string(),
  /** Most notifications the router resolves and fans out at once. */
  ROUTER_BATCH_SIZE: env.positiveInt(200),
  /** Most batches the router has in flight at once. */
  ROUTER_CONCURRENCY: env.positiveInt(2),
  /** Deliveries of a notification before it goes to the dead-letter subject. */
  ROUTER_MAX_TRIES: env.positiveInt(5),
  ROUTER_ACK_WAIT_MS: env.positiveInt(30_000),
  /** First retry delay of a failed batch, doubled at each next try. */
  ROUTER_RETRY_BASE_MS: env.positiveInt(1_000),
};

export type PreferencesConfig = ReturnType<typeof loadPreferencesConfig>;

/** Parses the service's environment once, naming every bad variable. */
export function loadPreferencesConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
