export { Bus } from './bus.js';
export { headerGetter, headerSetter } from './trace-headers.js';
export type { BusOptions, NatsCredentials, PublishOptions } from './bus.js';
export { defaultRetry, retryDelay } from './consume.js';
export type {
  BatchHandler,
  ConsumerHandle,
  ConsumerOptions,
  MessageOutcome,
  Received,
  RetryPolicy,
} from './consume.js';
export { follow } from './follow.js';
export type { Follower } from './follow.js';
