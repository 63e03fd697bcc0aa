export { startInterface } from './service.js';
export type { RunningInterface } from './service.js';
export { loadInterfaceConfig } from './config.js';
export type { InterfaceConfig } from './config.js';
