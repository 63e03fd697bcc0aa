export { startIngest } from './service.js';
export type { RunningIngest } from './service.js';
export { loadIngestConfig } from './config.js';
export type { IngestConfig } from './config.js';
export { limits } from './validate.js';
