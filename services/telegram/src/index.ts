export { startTelegram } from './service.js';
export type { RunningTelegram } from './service.js';
export { loadTelegramConfig } from './config.js';
export type { TelegramConfig } from './config.js';
export { noChat, telegramOffReason } from './telegram.js';
export { telegramOff } from './links.js';
export { escapeHtml, escapeAttribute } from './messages.js';
