import { ConfigError, consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';
import { z } from 'zod';

const shape = {
  ...serviceShape(50058, 9458),
  ...databaseShape('telegram'),
  /** The sender of deliveries.telegram and the read-state follower. */
  ...consumerShape('TELEGRAM'),
  /** The interface's Inbox: the "Mark as read" button marks items read through it, for every channel. */
  INTERFACE_ADDR: z.string().default('127.0.0.1:50053'),
  /** Deadline of a MarkRead call, in milliseconds. */
  INBOX_DEADLINE_MS: env.positiveInt(5_000),
  /** Base of CRM-relative links (`/leads/1`) made into buttons. */
  CRM_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  /** The bot's token from @BotFather; without it Telegram is off and deliveries are skipped. */
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$/, 'a bot token (<digits>:<secret>)')
    .optional(),
  /** The bot's @username (without "@") in the links handed out; getMe's answer when unset. */
  TELEGRAM_BOT_USERNAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'a bot username, without "@"')
    .optional(),
  /** The Bot API server (tests, a local Bot API server, air-gapped installs). */
  TELEGRAM_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
  /** How updates arrive: long polling (getUpdates, one replica only) or a webhook (any number of replicas). */
  TELEGRAM_MODE: z.enum(['polling', 'webhook'], 'must be polling or webhook').default('polling'),
  /** Compared with X-Telegram-Bot-Api-Secret-Token on every webhook request; required in webhook mode. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 of A-Z, a-z, 0-9, _ and -')
    .optional(),
  /** The public https URL Telegram posts updates to; registered with setWebhook at start when set. */
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Where the webhook listens (webhook mode only). */
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: env.port(8458),
  /** How long a link from the settings page can be used, in seconds. */
  TELEGRAM_LINK_TTL_S: env.positiveInt(600),
  /** Messages per second to all chats together: Telegram's limit is about 30. */
  TELEGRAM_RATE_PER_SECOND: env.positiveInt(30),
  /** Least time between two messages to one chat, in milliseconds: Telegram's limit is about one a second. */
  TELEGRAM_CHAT_INTERVAL_MS: env.positiveInt(1_000),
  /** Tries of a call that failed with a 5xx or a 429 in process; then the delivery goes back to the consumer. */
  TELEGRAM_MAX_RETRIES: env.positiveInt(3),
  /** Longest retry_after waited in process, in seconds; a longer one is left to the consumer's redelivery. */
  TELEGRAM_MAX_RETRY_AFTER_S: env.positiveInt(30),
};

export type TelegramConfig = ReturnType<typeof loadTelegramConfig>;

export function loadTelegramConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadConfig(shape, source);
  const problems: string[] = [];
  if (config.TELEGRAM_MODE === 'webhook' && config.TELEGRAM_BOT_TOKEN && !config.TELEGRAM_WEBHOOK_SECRET) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required in webhook mode');
  }
  if (config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_MODE !== 'webhook') {
    problems.push('TELEGRAM_WEBHOOK_URL: only used with TELEGRAM_MODE=webhook');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
