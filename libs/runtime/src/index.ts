export { runMain, runService, untilStopSignal } from './lifecycle.js';
export type { Stoppable, ServiceBasics } from './lifecycle.js';
