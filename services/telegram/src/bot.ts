import { createServer, type Server } from 'node:http';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, webhookCallback } from 'grammy';
import { UnavailableError } from '@herald/errors';
import type { Logger } from '@herald/telemetry';
import type { TelegramConfig } from './config.js';
import { rateLimiter } from './limiter.js';
import { networkRetry } from './network-retry.js';

/** The updates the bot acts on: commands and the "Mark as read" button. */
const allowedUpdates = ['message', 'callback_query'] as const;

/**
 * The bot, its calls paced under Telegram's limits and retried: a 429 waits
 * its retry_after (up to TELEGRAM_MAX_RETRY_AFTER_S), a 5xx backs off; both
 * at most TELEGRAM_MAX_RETRIES times, and so does a call that got no answer
 * (a reset connection): then it is left to the caller (for a delivery, the
 * consumer's redelivery), so a call never hangs on an unreachable server.
 */
export function createBot(token: string, config: TelegramConfig): Bot {
  const bot = new Bot(token, { client: { apiRoot: config.TELEGRAM_API_URL } });
  // The last installed runs first: the retries wrap the limiter, so each try queues again.
  bot.api.config.use(
    rateLimiter({ perSecond: config.TELEGRAM_RATE_PER_SECOND, chatIntervalMs: config.TELEGRAM_CHAT_INTERVAL_MS }),
  );
  bot.api.config.use(networkRetry({ tries: config.TELEGRAM_MAX_RETRIES, baseDelayMs: 250 }));
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: config.TELEGRAM_MAX_RETRIES,
      maxDelaySeconds: config.TELEGRAM_MAX_RETRY_AFTER_S,
      rethrowHttpErrors: true,
    }),
  );
  return bot;
}

/** getMe: who the bot is. An unreachable server is an outage (start-up waits); a refused token is not. */
export async function initBot(bot: Bot): Promise<void> {
  try {
    await bot.init();
  } catch (err) {
    if (err instanceof HttpError || (err instanceof GrammyError && err.error_code >= 500)) {
      throw new UnavailableError(`Telegram Bot API unreachable: ${err.message}`, { cause: err });
    }
    if (err instanceof GrammyError && err.error_code === 401) {
      throw new Error('TELEGRAM_BOT_TOKEN: refused by Telegram (401 Unauthorized)', { cause: err });
    }
    throw err;
  }
}

export interface Polling {
  stop(): Promise<void>;
}

/** Long polling (getUpdates): for one replica, e.g. on a developer's machine. */
export function startPolling(bot: Bot, logger: Logger): Promise<Polling> {
  return new Promise((resolve, reject) => {
    let started = false;
    bot
      .start({
        allowed_updates: allowedUpdates,
        onStart: () => {
          started = true;
          resolve({ stop: () => bot.stop() });
        },
      })
      .catch((err: unknown) => {
        if (!started) reject(err instanceof Error ? err : new Error(String(err)));
        else logger.error({ err }, 'Telegram long polling stopped');
      });
  });
}

export interface Webhook {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The webhook listener: Telegram POSTs each update with the secret given to
 * setWebhook in X-Telegram-Bot-Api-Secret-Token; any other request is
 * refused (401 for a wrong or missing secret, checked by grammY).
 */
export async function serveWebhook(
  bot: Bot,
  options: { host: string; port: number; secret: string; logger: Logger },
): Promise<Webhook> {
  const handle = webhookCallback(bot, 'http', { secretToken: options.secret, onTimeout: 'return' });
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    handle(req, res).catch((err: unknown) => {
      options.logger.warn({ err }, 'webhook request failed');
      if (!res.headersSent) res.writeHead(err instanceof SyntaxError ? 400 : 500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Registers the webhook with Telegram, with the secret it must send back. */
export async function setWebhook(bot: Bot, url: string, secret: string): Promise<void> {
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: allowedUpdates });
}
