import { channelMigrations, InboxUnreadCounts, SentLedger } from '@herald/channel';
import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { openBus, openDatabase, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import { BrowserPush, browserPushOff } from './browser-push.js';
import { vapidOf, type BrowserPushConfig } from './config.js';
import { PushSender } from './push-sender.js';
import { SubscriptionRepository } from './subscription-repository.js';
import { Subscriptions } from './subscriptions.js';
import { subscriptionsRpc } from './subscriptions-rpc.js';

export interface RunningBrowserPush {
  /** The gRPC port bound (useful when GRPC_PORT is 0). */
  readonly port: number;
  readonly metricsPort: number;
  /** False while no VAPID keys are configured. */
  readonly enabled: boolean;
  /** Reports not-serving, finishes in-flight sends, drains NATS, closes connections and the pool; idempotent. */
  stop(): Promise<void>;
}

export function startBrowserPush(
  config: BrowserPushConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningBrowserPush> {
  return startService(
    'browser-push',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      const vapid = vapidOf(config);
      if (vapid) logger.info({ subject: vapid.subject, publicKey: vapid.publicKey }, 'browser push is on');
      else logger.warn(`${browserPushOff}: set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT`);
      const unreadCounts = await steps.open(
        'inbox client',
        async () => new InboxUnreadCounts(config.INTERFACE_ADDR, config.INBOX_DEADLINE_MS, logger),
        (c) => c.close(),
      );
      const pool = await openDatabase(steps, config, {
        service: 'browser-push',
        migrations: [channelMigrations, new URL('../migrations/', import.meta.url)],
        logger,
      });
      const bus = await openBus(steps, config, {
        service: 'browser-push',
        streams: ['DELIVERIES', 'OUTCOMES', 'INBOX', 'DEADLETTER'],
        logger,
      });
      const subscriptions = new SubscriptionRepository(pool);
      const ledger = new SentLedger(pool);
      const sender =
        vapid &&
        (await steps.open(
          'push sender',
          async () =>
            new PushSender(
              {
                vapid,
                ttlSeconds: config.PUSH_TTL_S,
                timeoutMs: config.PUSH_TIMEOUT_MS,
                maxSockets: config.PUSH_MAX_SOCKETS,
                tries: config.PUSH_TRIES,
                baseDelayMs: config.PUSH_RETRY_BASE_MS,
                maxDelayMs: config.PUSH_RETRY_MAX_MS,
              },
              { subscriptions, ledger, logger },
            ),
          (s) => s.close(),
        ));
      const browserPush = new BrowserPush({
        sender,
        subscriptions,
        ledger,
        outcomes: bus,
        unreadCounts,
        payloads: {
          crmBaseUrl: config.CRM_BASE_URL,
          notificationCenterUrl: config.NOTIFICATION_CENTER_URL,
          iconUrl: config.PUSH_ICON_URL,
          badgeUrl: config.PUSH_BADGE_URL,
        },
        maxDeliveries: config.BROWSER_MAX_TRIES,
        logger,
      });
      // Closing the bus stops its consumers together, each finishing the batches it holds.
      await bus.consume(
        topics.delivery,
        {
          durable: 'browser-push-sender',
          filter: [channelToken(Channel.CHANNEL_BROWSER)],
          ...consumerTuning(config, 'BROWSER'),
        },
        (batch) => browserPush.deliver(batch),
      );
      await bus.consume(
        topics.inboxRead,
        { durable: 'browser-push-read', ...consumerTuning(config, 'BROWSER') },
        (batch) => browserPush.read(batch),
      );
      const service = new Subscriptions(subscriptions, {
        endpointAllowlist: config.PUSH_ENDPOINT_ALLOWLIST,
        vapidPublicKey: vapid?.publicKey ?? '',
      });
      const server = await serveRpc(steps, config, [subscriptionsRpc(service, logger)], logger);
      return { port: server.port, metricsPort, enabled: vapid !== undefined };
    },
    { signal },
  );
}
