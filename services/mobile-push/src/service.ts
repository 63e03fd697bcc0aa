import { Bus } from '@herald/bus';
import { channelMigrations, SentLedger } from '@herald/channel';
import { consumerTuning } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { createPool, migrate, type Pool } from '@herald/db';
import { startRpcServer, type RpcServer } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { MobilePushConfig } from './config.js';
import { DeviceRepository } from './device-repository.js';
import { Devices } from './devices.js';
import { devicesRpc } from './devices-rpc.js';
import { openFcm, type Fcm } from './fcm.js';
import { FcmSender } from './fcm-sender.js';
import { MobilePush, mobilePushOff } from './mobile-push.js';
import { InboxUnreadCounts } from './unread-counts.js';

export interface RunningMobilePush {
  /** The gRPC port bound (useful when GRPC_PORT is 0). */
  readonly port: number;
  /** False while no Firebase service account is configured. */
  readonly enabled: boolean;
  /** Reports not-serving, finishes in-flight sends, drains NATS, closes FCM and the pool. */
  stop(): Promise<void>;
}

export async function startMobilePush(config: MobilePushConfig, logger: Logger): Promise<RunningMobilePush> {
  const fcm = await openFcm(config);
  if (fcm) logger.info({ projectId: fcm.projectId, connectTo: config.FCM_CONNECT_TO }, 'mobile push is on');
  else logger.warn(`${mobilePushOff}: set FIREBASE_SERVICE_ACCOUNT_FILE; deliveries are skipped and logged`);
  const unreadCounts = new InboxUnreadCounts(config.INTERFACE_ADDR, config.INBOX_DEADLINE_MS, logger);
  let pool: Pool | undefined;
  let bus: Bus | undefined;
  let rpc: RpcServer | undefined;
  const release = async (): Promise<void> => {
    try {
      await rpc?.shutdown();
      await bus?.close();
    } finally {
      unreadCounts.close();
      await fcm?.close();
      await pool?.end();
      logger.info('mobile-push stopped');
    }
  };
  try {
    await migrate({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      dir: [channelMigrations, new URL('../migrations/', import.meta.url)],
      logger,
    });
    pool = createPool({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      applicationName: 'mobile-push',
      max: config.DB_POOL_SIZE,
    });
    bus = await Bus.connect({
      url: config.NATS_URL,
      namespace: config.HERALD_NAMESPACE,
      replicas: config.NATS_STREAM_REPLICAS,
      name: 'mobile-push',
      logger,
    });
    await bus.ensureStreams(['DELIVERIES', 'OUTCOMES', 'INBOX', 'DEADLETTER']);
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
    await bus.consume(
      topics.delivery,
      {
        durable: 'mobile-push-sender',
        filter: [channelToken(Channel.CHANNEL_MOBILE)],
        ...consumerTuning(config, 'MOBILE'),
      },
      (batch) => mobilePush.deliver(batch),
    );
    await bus.consume(topics.inboxRead, { durable: 'mobile-push-read', ...consumerTuning(config, 'MOBILE') }, (batch) =>
      mobilePush.read(batch),
    );
    rpc = await startRpcServer({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [devicesRpc(new Devices(devices), logger)],
      logger,
    });
  } catch (err) {
    await release();
    throw err;
  }
  const server = rpc;
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    enabled: fcm !== undefined,
    stop() {
      stopping ??= release();
      return stopping;
    },
  };
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
