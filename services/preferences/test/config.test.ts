import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@herald/config';
import { loadPreferencesConfig } from '../src/index.js';

describe('loadPreferencesConfig', () => {
  it('has a default for every variable but the admin token', () => {
    expect(loadPreferencesConfig({})).toMatchObject({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: 50052,
      METRICS_PORT: 9452,
      DB_POOL_SIZE: 10,
      DB_SCHEMA: 'preferences',
      HERALD_NAMESPACE: '',
      ROUTER_BATCH_SIZE: 200,
      ROUTER_CONCURRENCY: 2,
      ROUTER_MAX_TRIES: 5,
      ROUTER_ACK_WAIT_MS: 30_000,
      ROUTER_RETRY_BASE_MS: 1_000,
    });
    expect(loadPreferencesConfig({}).ADMIN_TOKEN).toBeUndefined();
    expect(loadPreferencesConfig({}).HERALD_DEV_MODE).toBe(false);
    expect(loadPreferencesConfig({}).CACHE_TTL_MS).toBe(5_000);
    expect(loadPreferencesConfig({ HERALD_DEV_MODE: 'true' }).HERALD_DEV_MODE).toBe(true);
    expect(loadPreferencesConfig({ ADMIN_TOKEN: 's3cret', GRPC_PORT: '0' })).toMatchObject({
      ADMIN_TOKEN: 's3cret',
      GRPC_PORT: 0,
    });
  });

  it('names every bad variable at once', () => {
    let problems: readonly string[] = [];
    try {
      loadPreferencesConfig({ GRPC_PORT: 'http', DB_SCHEMA: 'Prefs; DROP', ROUTER_BATCH_SIZE: '0' });
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems.map((p) => p.split(':')[0])).toEqual(['GRPC_PORT', 'DB_SCHEMA', 'ROUTER_BATCH_SIZE']);
  });

  it('takes dev mode only from true or false, and the TLS files all together', () => {
    const problemsOf = (source: Record<string, string>): string[] => {
      try {
        loadPreferencesConfig(source);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => p.split(':')[0] ?? '');
      }
      return [];
    };
    expect(problemsOf({ HERALD_DEV_MODE: 'yes' })).toEqual(['HERALD_DEV_MODE']);
    expect(problemsOf({ GRPC_TLS_CERT: '/etc/herald/tls.crt' })).toEqual(['GRPC_TLS_KEY', 'GRPC_TLS_CA']);
    expect(problemsOf({ GRPC_TLS_CERT: '/etc/herald/tls.crt', GRPC_TLS_KEY: '/k', GRPC_TLS_CA: '/ca' })).toEqual([]);
  });
});
