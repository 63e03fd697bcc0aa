export { runMain, runService, untilStopSignal } from './lifecycle.js';
export type { Stoppable, ServiceBasics } from './lifecycle.js';
export { startService, StartAbortedError } from './startup.js';
export type { StartOptions, Steps } from './startup.js';
export { openBus, openDatabase, serveMetrics, serveRpc } from './resources.js';
export type { BusConfig, DatabaseConfig, ServingConfig } from './resources.js';
