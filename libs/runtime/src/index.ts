export { runMain, runService, untilStopSignal } from './lifecycle.js';
export type { Stoppable, ServiceBasics } from './lifecycle.js';
export { startService, StartAbortedError } from './startup.js';
export type { StartOptions, Steps } from './startup.js';
export { serveMetrics } from './metrics.js';
export type { MetricsConfig, Observed } from './metrics.js';
