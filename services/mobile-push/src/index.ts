export { startMobilePush } from './service.js';
export type { RunningMobilePush } from './service.js';
export { loadMobilePushConfig } from './config.js';
export type { MobilePushConfig } from './config.js';
export { mobilePushOff, noDevice } from './mobile-push.js';
export { maxMessagesPerCall } from './fcm-sender.js';
