export { HeraldError } from './errors.js';
export type { HeraldErrorCode } from './errors.js';
export { isSafeLink, safeHref } from './links.js';
export { limits, methods, methodParams, validate } from './params.js';
export type { Method, Params } from './params.js';
export { Notifications, popupEventName } from './notifications.js';
export type { Accepted, NotificationsOptions, Popup } from './notifications.js';
export { installGlobal } from './global.js';
