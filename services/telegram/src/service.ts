import type { Bot } from 'grammy';
import { channelMigrations, SentLedger } from '@herald/channel';
import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { openBus, openDatabase, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import { createBot, initBot, serveWebhook, setWebhook, startPolling } from './bot.js';
import { handleChats } from './chat.js';
import type { TelegramConfig } from './config.js';
import { InboxReadMarker } from './inbox.js';
import { LinkRepository } from './link-repository.js';
import { Links } from './links.js';
import { linksRpc } from './links-rpc.js';
import { MessageRepository } from './message-repository.js';
import { TelegramChannel, telegramOffReason } from './telegram.js';

export interface RunningTelegram {
  /** The gRPC port bound (useful when GRPC_PORT is 0). */
  readonly port: number;
  readonly metricsPort: number;
  /** The webhook's port in webhook mode (useful when HTTP_PORT is 0). */
  readonly webhookPort: number | undefined;
  /** False while no bot token is configured. */
  readonly enabled: boolean;
  /** The bot's username, as links name it. */
  readonly botUsername: string | undefined;
  /** Reports not-serving, stops taking updates, finishes in-flight sends, drains NATS, closes the pool; idempotent. */
  stop(): Promise<void>;
}

export function startTelegram(config: TelegramConfig, logger: Logger, signal?: AbortSignal): Promise<RunningTelegram> {
  return startService(
    'telegram',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      let bot: Bot | undefined;
      if (config.TELEGRAM_BOT_TOKEN) {
        const created = createBot(config.TELEGRAM_BOT_TOKEN, config);
        await steps.run('Telegram getMe', () => initBot(created));
        bot = created;
      }
      const botUsername = bot && (config.TELEGRAM_BOT_USERNAME ?? bot.botInfo.username);
      if (bot) logger.info({ bot: botUsername, mode: config.TELEGRAM_MODE }, 'Telegram is on');
      else logger.warn(`${telegramOffReason}: set TELEGRAM_BOT_TOKEN; deliveries are skipped and logged`);

      const inbox = await steps.open(
        'inbox client',
        async () => new InboxReadMarker(config.INTERFACE_ADDR, config.INBOX_DEADLINE_MS),
        (c) => c.close(),
      );
      const pool = await openDatabase(steps, config, {
        service: 'telegram',
        migrations: [channelMigrations, new URL('../migrations/', import.meta.url)],
        logger,
      });
      const bus = await openBus(steps, config, {
        service: 'telegram',
        streams: ['DELIVERIES', 'OUTCOMES', 'INBOX', 'DEADLETTER'],
        logger,
      });
      const linkRepository = new LinkRepository(pool);
      const messages = new MessageRepository(pool);
      const links = new Links({
        repository: linkRepository,
        botUsername,
        ttlMs: config.TELEGRAM_LINK_TTL_S * 1_000,
      });
      const tuning = consumerTuning(config, 'TELEGRAM');
      const channel = new TelegramChannel({
        api: bot?.api,
        links: linkRepository,
        messages,
        ledger: new SentLedger(pool),
        outcomes: bus,
        crmBaseUrl: config.CRM_BASE_URL,
        retry: { maxTries: tuning.retry.maxTries, baseDelayMs: tuning.retry.baseDelayMs, maxDelayMs: 60_000 },
        logger,
      });
      // Closing the bus stops its consumers together, each finishing the batches it holds.
      await bus.consume(
        topics.delivery,
        { durable: 'telegram-sender', filter: [channelToken(Channel.CHANNEL_TELEGRAM)], ...tuning },
        (batch) => channel.deliver(batch),
      );
      await bus.consume(topics.inboxRead, { durable: 'telegram-read', ...tuning }, (batch) => channel.read(batch));

      let webhookPort: number | undefined;
      if (bot) {
        handleChats(bot, { links, linkRepository, messages, inbox, logger });
        const updates = bot;
        if (config.TELEGRAM_MODE === 'webhook') {
          const secret = config.TELEGRAM_WEBHOOK_SECRET!;
          const webhook = await steps.open(
            'Telegram webhook',
            () => serveWebhook(updates, { host: config.HTTP_HOST, port: config.HTTP_PORT, secret, logger }),
            (w) => w.close(),
          );
          webhookPort = webhook.port;
          const url = config.TELEGRAM_WEBHOOK_URL;
          if (url) await steps.run('setWebhook', () => setWebhook(updates, url, secret));
        } else {
          await steps.open(
            'Telegram long polling',
            () => startPolling(updates, logger),
            (p) => p.stop(),
          );
        }
      }
      const server = await serveRpc(steps, config, [linksRpc(links, logger)], logger);
      return { port: server.port, metricsPort, webhookPort, enabled: bot !== undefined, botUsername };
    },
    { signal },
  );
}
