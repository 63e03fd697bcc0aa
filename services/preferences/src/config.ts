import { consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50052, 9452),
  ...databaseShape('preferences'),
  /** When set, the Directory's admin calls need `authorization: Bearer <ADMIN_TOKEN>`. */
  ADMIN_TOKEN: env.string(),
  /** The router: notifications resolved and fanned out per batch. */
  ...consumerShape('ROUTER'),
};

export type PreferencesConfig = ReturnType<typeof loadPreferencesConfig>;

/** Parses the service's environment once, naming every bad variable. */
export function loadPreferencesConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
