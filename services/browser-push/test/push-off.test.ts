import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bus } from '@herald/bus';
import { PushSubscriptionsClient, topics, type DeliveryOutcome } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import { buildDelivery, dropSchemas, eventually, isolatedBus, testEnv, testLogger, uniqueName } from '@herald/testing';
import { browserPushOff, loadBrowserPushConfig, startBrowserPush, type RunningBrowserPush } from '@herald/browser-push';

describe('browser-push: without VAPID keys', () => {
  const schema = uniqueName('browser_push_');
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let service: RunningBrowserPush;

  beforeAll(async () => {
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('browser-push-off-test'));
    service = await startBrowserPush(
      {
        ...loadBrowserPushConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
  });

  afterAll(async () => {
    await service.stop();
    await cleanup();
    await dropSchemas(schema);
  });

  it('starts, serves no public key, and skips every delivery with the reason in the delivery log', async () => {
    expect(service.enabled).toBe(false);
    const client = new PushSubscriptionsClient(`127.0.0.1:${service.port}`, ...clientOptions());
    try {
      const reply = await callUnary(client.getVapidPublicKey.bind(client), {}, { deadlineMs: 5_000 });
      expect(reply.publicKey).toBe('');
    } finally {
      client.close();
    }
    const outcomes: DeliveryOutcome[] = [];
    await bus.consume(topics.deliveryOutcome, { durable: 'test-outcomes-off' }, async (batch) => {
      outcomes.push(...batch.map((m) => m.data));
    });
    const delivery = buildDelivery({
      accountId: 'acme',
      userId: uniqueName('u'),
      notificationId: uniqueName('n'),
      channel: 'CHANNEL_BROWSER',
    });
    await bus.publish(topics.delivery, ['browser', 'acme'], delivery, { msgID: delivery.id });
    await eventually(() =>
      expect(outcomes.map((o) => [o.deliveryId, o.status, o.reason])).toEqual([
        [delivery.id, 'DELIVERY_STATUS_SKIPPED', browserPushOff],
      ]),
    );
  });
});
