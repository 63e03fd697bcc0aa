export { startBrowserPush } from './service.js';
export type { RunningBrowserPush } from './service.js';
export { loadBrowserPushConfig } from './config.js';
export type { BrowserPushConfig } from './config.js';
export { browserPushOff, noSubscription } from './browser-push.js';
export { maxPayloadBytes, notificationPayload, readPayloads, topicOf } from './payloads.js';
export type { NotificationPayload, ReadPayload } from './payloads.js';
