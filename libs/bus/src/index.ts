export { Bus, headerGetter, headerSetter } from './bus.js';
export type { BusOptions, PublishOptions } from './bus.js';
export { defaultRetry, retryDelay } from './consume.js';
export type { BatchHandler, ConsumerHandle, ConsumerOptions, Received, RetryPolicy } from './consume.js';
