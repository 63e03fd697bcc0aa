export { startEmail } from './service.js';
export type { EmailOptions, RunningEmail } from './service.js';
export { loadEmailConfig } from './config.js';
export type { EmailConfig } from './config.js';
export type { TickResult } from './digest-scheduler.js';
