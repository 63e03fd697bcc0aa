import cron from 'node-cron';
import { unsubscribeKeyOf } from '@herald/auth';
import { channelMigrations, SentLedger } from '@herald/channel';
import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { openBus, openDatabase, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import { startCaptureMailbox, type CaptureMailbox } from './capture-mailbox.js';
import type { EmailConfig } from './config.js';
import { DigestRepository } from './digest-repository.js';
import { DigestScheduler } from './digest-scheduler.js';
import { EmailSender } from './email-sender.js';
import type { MailLinks } from './mail-content.js';
import { smtpMailer, type Mailer } from './mailer.js';
import { ReadState } from './read-state.js';

export interface EmailOptions {
  /** The clock of the digest schedule; the wall clock unless a spec sets its own. */
  now?: () => Date;
  /** Tick the digest scheduler every minute (node-cron); off when a spec ticks it by hand. */
  cron?: boolean;
}

export interface RunningEmail {
  readonly port: number;
  readonly metricsPort: number;
  readonly digests: DigestScheduler;
  /** The capture mailbox's page, in dev mode without SMTP_URL. */
  readonly mailboxUrl: string | undefined;
  stop(): Promise<void>;
}

/** Where mail goes: the configured SMTP server, or in dev mode a capture mailbox of our own. */
async function mailerFor(config: EmailConfig, logger: Logger): Promise<{ mailer: Mailer; mailbox?: CaptureMailbox }> {
  const smtp = (url: string): Mailer =>
    smtpMailer({
      url,
      from: config.EMAIL_FROM,
      poolSize: config.SMTP_POOL_SIZE,
      timeoutMs: config.SMTP_TIMEOUT_MS,
      messageIdDomain: new URL(config.NOTIFICATION_CENTER_URL).hostname,
    });
  if (config.SMTP_URL) return { mailer: smtp(config.SMTP_URL) };
  if (!config.HERALD_DEV_MODE) {
    throw new Error('SMTP_URL is required (the capture mailbox runs only with HERALD_DEV_MODE=true)');
  }
  const mailbox = await startCaptureMailbox({ httpPort: config.MAILBOX_HTTP_PORT, logger });
  return { mailer: smtp(mailbox.smtpUrl), mailbox };
}

export function startEmail(
  config: EmailConfig,
  logger: Logger,
  options: EmailOptions = {},
  signal?: AbortSignal,
): Promise<RunningEmail> {
  const now = options.now ?? (() => new Date());
  if (config.HERALD_DEV_MODE) logger.warn('dev mode: HERALD_DEV_MODE=true, not for production');
  return startService(
    'email',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      const pool = await openDatabase(steps, config, {
        service: 'email',
        migrations: [channelMigrations, new URL('../migrations/', import.meta.url)],
        logger,
      });
      // Closed in reverse: the mailer's pooled connections first, or the mailbox would wait for them.
      const { mailer, mailbox } = await steps.open(
        'mailer',
        () => mailerFor(config, logger),
        async ({ mailer, mailbox }) => {
          mailer.close();
          await mailbox?.close();
        },
      );
      const bus = await openBus(steps, config, {
        service: 'email',
        streams: ['DELIVERIES', 'OUTCOMES', 'INBOX', 'PREFERENCES', 'DEADLETTER'],
        logger,
      });
      const ledger = new SentLedger(pool);
      const digestRepository = new DigestRepository(pool);
      const unsubscribeKey = unsubscribeKeyOf(config);
      if (!unsubscribeKey)
        logger.warn('no UNSUBSCRIBE_KEY: mails link to the settings page, not to a one-click unsubscribe');
      const links: MailLinks = {
        crmBaseUrl: config.CRM_BASE_URL,
        notificationCenterUrl: config.NOTIFICATION_CENTER_URL,
        unsubscribe: unsubscribeKey ? { url: config.UNSUBSCRIBE_URL, key: unsubscribeKey } : undefined,
      };
      const tuning = consumerTuning(config, 'EMAIL');
      const sender = new EmailSender({
        ledger,
        mailer,
        outcomes: bus,
        digests: digestRepository,
        links,
        maxTries: tuning.retry.maxTries,
        now,
        logger,
      });
      const readState = new ReadState(digestRepository, now);
      // Closing the bus stops its consumers together, each finishing the batches it holds.
      await bus.consume(
        topics.delivery,
        { durable: 'email-sender', filter: [channelToken(Channel.CHANNEL_EMAIL)], ...tuning },
        (batch) => sender.handle(batch),
      );
      await bus.consume(topics.inboxRead, { durable: 'email-read-state', ...tuning }, (batch) => readState.read(batch));
      await bus.consume(topics.preferencesChanged, { durable: 'email-recipients', ...tuning }, (batch) =>
        readState.recipients(batch),
      );
      const digests = new DigestScheduler({
        pool,
        digests: digestRepository,
        ledger,
        mailer,
        outcomes: bus,
        links,
        claimSize: config.DIGEST_CLAIM_SIZE,
        concurrency: config.SMTP_POOL_SIZE,
        logger,
      });
      if (options.cron ?? true) {
        const task = cron.schedule('* * * * *', () =>
          digests.tick(now()).catch((err: unknown) => logger.error({ err }, 'digest tick failed')),
        );
        steps.defer('digest schedule', async () => {
          await task.stop();
          // A tick under way finishes: its users are locked until it commits.
          await digests.settled();
        });
      }
      const server = await serveRpc(steps, config, [], logger);
      return { port: server.port, metricsPort, digests, mailboxUrl: mailbox?.pageUrl };
    },
    { signal },
  );
}
