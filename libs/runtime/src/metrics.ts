import { startMetricsServer, watchConsumers, watchPool, type ConsumerStates, type PoolStats } from '@herald/metrics';
import type { Logger } from '@herald/telemetry';
import type { Steps } from './startup.js';

export interface MetricsConfig {
  METRICS_HOST: string;
  /** 0 for any free port (specs). */
  METRICS_PORT: number;
}

/** What a service reports at every scrape, besides its calls and the process. */
export interface Observed {
  /** A PostgreSQL pool, reported under this name. */
  pool?: { name: string; stats: PoolStats };
  /** The durable consumers of a bus: lag and redeliveries. */
  consumers?: ConsumerStates;
}

/**
 * Opens the service's metrics port as a start-up step: `/metrics` (gRPC calls,
 * consumers, dead letters, the pool, the process) and `/healthz`. Call
 * `observe` once the pool and bus exist.
 */
export async function serveMetrics(
  steps: Steps,
  config: MetricsConfig,
  logger: Logger,
): Promise<{ port: number; observe(observed: Observed): void }> {
  const server = await steps.open(
    'metrics server',
    () => startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, logger }),
    (s) => s.close(),
  );
  return {
    port: server.port,
    observe(observed) {
      if (observed.pool) steps.defer('pool metrics', watchPool(observed.pool.name, observed.pool.stats));
      if (observed.consumers) steps.defer('consumer metrics', watchConsumers(observed.consumers));
    },
  };
}
