import { channelMigrations, InboxUnreadCounts, SentLedger } from '@herald/channel';
import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { openBus, openDatabase, serveMetrics, serveRpc, startService } from '@herald/runtime';
import type { Logger } from '@herald/telemetry';
import type { MobilePushConfig } from './config.js';
import { DeviceRepository } from './device-repository.js';
import { Devices } from './devices.js';
import { devicesRpc } from './devices-rpc.js';
import { openFcm, type Fcm } from './fcm.js';
import { FcmSender } from './fcm-sender.js';
import { MobilePush, mobilePushOff } from './mobile-push.js';

export interface RunningMobilePush {
  /** The gRPC port bound (useful when GRPC_PORT is 0). */
  readonly port: number;
  readonly metricsPort: number;
  /** False while no Firebase service account is configured. */
  readonly enabled: boolean;
  /** Reports not-serving, finishes in-flight sends, drains NATS, closes FCM and the pool; idempotent. */
  stop(): Promise<void>;
}

export function startMobilePush(
  config: MobilePushConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningMobilePush> {
  return startService(
    'mobile-push',
    logger,
    async (steps) => {
      const metricsPort = await serveMetrics(steps, config, logger);
      const fcm = await steps.open(
        'FCM',
        () => openFcm(config),
        (f) => f?.close(),
      );
      if (fcm) logger.info({ projectId: fcm.projectId, connectTo: config.FCM_CONNECT_TO }, 'mobile push is on');
      else logger.warn(`${mobilePushOff}: set FIREBASE_SERVICE_ACCOUNT_FILE; deliveries are skipped and logged`);
      const unreadCounts = await steps.open(
        'inbox client',
        async () => new InboxUnreadCounts(config.INTERFACE_ADDR, config.INBOX_DEADLINE_MS, logger),
        (c) => c.close(),
      );
      const pool = await openDatabase(steps, config, {
        service: 'mobile-push',
        migrations: [channelMigrations, new URL('../migrations/', import.meta.url)],
        logger,
      });
      const bus = await openBus(steps, config, {
        service: 'mobile-push',
        streams: ['DELIVERIES', 'OUTCOMES', 'INBOX', 'DEADLETTER'],
        logger,
      });
      const devices = new DeviceRepository(pool);
      const ledger = new SentLedger(pool);
      const mobilePush = new MobilePush({
        sender: fcm && sender(fcm, config, devices, ledger, logger),
        devices,
        ledger,
        outcomes: bus,
        unreadCounts,
        crmBaseUrl: config.CRM_BASE_URL,
        maxDeliveries: config.MOBILE_MAX_TRIES,
        logger,
      });
      // Closing the bus stops its consumers together, each finishing the batches it holds.
      await bus.consume(
        topics.delivery,
        {
          durable: 'mobile-push-sender',
          filter: [channelToken(Channel.CHANNEL_MOBILE)],
          ...consumerTuning(config, 'MOBILE'),
        },
        (batch) => mobilePush.deliver(batch),
      );
      await bus.consume(
        topics.inboxRead,
        { durable: 'mobile-push-read', ...consumerTuning(config, 'MOBILE') },
        (batch) => mobilePush.read(batch),
      );
      const server = await serveRpc(steps, config, [devicesRpc(new Devices(devices), logger)], logger);
      return { port: server.port, metricsPort, enabled: fcm !== undefined };
    },
    { signal },
  );
}

function sender(
  fcm: Fcm,
  config: MobilePushConfig,
  devices: DeviceRepository,
  ledger: SentLedger,
  logger: Logger,
): FcmSender {
  return new FcmSender(fcm.transport, {
    devices,
    ledger,
    logger,
    retry: { tries: config.FCM_TRIES, baseDelayMs: config.FCM_RETRY_BASE_MS, maxDelayMs: config.FCM_RETRY_MAX_MS },
  });
}
