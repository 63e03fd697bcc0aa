import { Bus } from '@herald/bus';
import { consumerTuning, grpcTls } from '@herald/config';
import { channelToken, Channel, topics } from '@herald/contracts';
import { createPool, migrate } from '@herald/db';
import { serverCredentials, startRpcServer } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { InterfaceConfig } from './config.js';
import { BusInboxEvents } from './bus-events.js';
import { DeliveryLog } from './delivery-log.js';
import { DeliveryLogRepository } from './delivery-log-repository.js';
import { Inbox } from './inbox.js';
import { InboxRepository } from './inbox-repository.js';
import { inboxRpc } from './inbox-rpc.js';

export interface RunningInterface {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startInterface(config: InterfaceConfig, logger: Logger): Promise<RunningInterface> {
  await migrate({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    dir: new URL('../migrations/', import.meta.url),
    logger,
  });
  const pool = createPool({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    applicationName: 'interface',
    max: config.DB_POOL_SIZE,
  });
  const bus = await Bus.connect({
    url: config.NATS_URL,
    namespace: config.HERALD_NAMESPACE,
    replicas: config.NATS_STREAM_REPLICAS,
    name: 'interface',
    logger,
  });
  await bus.ensureStreams(['DELIVERIES', 'OUTCOMES', 'INBOX', 'PREFERENCES', 'DEADLETTER']);
  const inbox = new Inbox(new InboxRepository(pool), new BusInboxEvents(bus));
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
    {
      durable: 'interface-inbox-order',
      ...consumerTuning(config, 'INBOX'),
    },
    (batch) => inbox.keepOrders(batch),
  );
  const deliveryLog = new DeliveryLog(new DeliveryLogRepository(pool));
  await bus.consume(
    topics.deliveryOutcome,
    { durable: 'interface-delivery-log', ...consumerTuning(config, 'INBOX') },
    (batch) => deliveryLog.store(batch),
  );
  const server = await startRpcServer({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    credentials: serverCredentials(grpcTls(config)),
    services: [inboxRpc(inbox, deliveryLog, logger)],
    logger,
  });
  return {
    port: server.port,
    async stop() {
      await server.shutdown();
      await bus.close();
      await pool.end();
      logger.info('interface stopped');
    },
  };
}
