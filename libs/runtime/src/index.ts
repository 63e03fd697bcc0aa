export { runMain, untilStopSignal } from './lifecycle.js';
export type { Stoppable } from './lifecycle.js';
