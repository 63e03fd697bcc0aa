// The one i18n layer: every text Herald writes for a user, in their language and time zone.
export { localeOf, translator, zoneOf } from './i18n.js';
export type { Locale, Translator, Values } from './i18n.js';
export type { MessageKey } from './messages.js';
export { renderNotification, toRendered } from './render.js';
export type { Reader, RenderedNotification } from './render.js';
