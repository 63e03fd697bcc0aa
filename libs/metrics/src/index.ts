export {
  collectProcessMetrics,
  deadLetters,
  metricsText,
  redeliveries,
  rpcDuration,
  watchConsumers,
  watchPool,
} from './metrics.js';
export type { ConsumerState, ConsumerStates, PoolStats } from './metrics.js';
export { startMetricsServer } from './server.js';
export type { MetricsServer, MetricsServerOptions } from './server.js';
