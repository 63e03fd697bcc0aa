import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { openBus, openDatabase, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import type { InterfaceConfig } from './config.js';
import { BusInboxEvents } from './bus-events.js';
import { DeliveryLog } from './delivery-log.js';
import { DeliveryLogRepository } from './delivery-log-repository.js';
import { Inbox } from './inbox.js';
import { InboxRepository } from './inbox-repository.js';
import { InboxRetention, RetentionRepository } from './inbox-retention.js';
import { inboxRpc } from './inbox-rpc.js';

export interface RunningInterface {
  readonly port: number;
  readonly metricsPort: number;
  /** Reports not-serving, finishes in-flight calls and batches, drains NATS, closes the pool; idempotent. */
  stop(): Promise<void>;
}

export function startInterface(
  config: InterfaceConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningInterface> {
  return startService(
    'interface',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      const pool = await openDatabase(steps, config, {
        service: 'interface',
        migrations: new URL('../migrations/', import.meta.url),
        logger,
      });
      const bus = await openBus(steps, config, {
        service: 'interface',
        streams: ['DELIVERIES', 'OUTCOMES', 'INBOX', 'PREFERENCES', 'DEADLETTER'],
        logger,
      });
      const inbox = new Inbox(new InboxRepository(pool), new BusInboxEvents(bus));
      // Closing the bus stops its consumers together, each finishing the batches it holds.
      await bus.consume(
        topics.delivery,
        {
          durable: 'interface-inbox',
          filter: [channelToken(Channel.CHANNEL_INTERFACE)],
          ...consumerTuning(config, 'INBOX'),
        },
        (batch) => inbox.store(batch),
      );
      await bus.consume(
        topics.preferencesChanged,
        { durable: 'interface-inbox-order', ...consumerTuning(config, 'INBOX') },
        (batch) => inbox.keepOrders(batch),
      );
      const deliveryLog = new DeliveryLog(new DeliveryLogRepository(pool));
      await bus.consume(
        topics.deliveryOutcome,
        { durable: 'interface-delivery-log', ...consumerTuning(config, 'INBOX') },
        (batch) => deliveryLog.store(batch),
      );
      await steps.open(
        'inbox retention',
        async () => {
          const retention = new InboxRetention(
            new RetentionRepository(pool),
            {
              readDays: config.INBOX_RETENTION_DAYS,
              batchSize: config.INBOX_RETENTION_BATCH,
              intervalMs: config.INBOX_RETENTION_INTERVAL_MS,
            },
            logger,
          );
          retention.start();
          return retention;
        },
        (retention) => retention.stop(),
      );
      const server = await serveRpc(steps, config, [inboxRpc(inbox, deliveryLog, logger)], logger);
      return { port: server.port, metricsPort };
    },
    { signal },
  );
}
