export {
  testEnv,
  uniqueName,
  testLogger,
  isolatedBus,
  dropSchemas,
  eventually,
  within,
  memorySpans,
} from './testing.js';
