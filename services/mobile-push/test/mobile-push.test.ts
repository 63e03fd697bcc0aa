import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { Bus } from '@herald/bus';
import {
  DevicePlatform,
  DevicesClient,
  InboxClient,
  topics,
  type Delivery,
  type DeliveryOutcome,
  type Device,
} from '@herald/contracts';
import { callUnary, clientOptions, FIELD_METADATA_KEY, type UnaryMethod } from '@herald/rpc';
import { dropSchemas, eventually, buildDelivery, isolatedBus, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadInterfaceConfig, startInterface, type RunningInterface } from '@herald/interface';
import {
  loadMobilePushConfig,
  mobilePushOff,
  noDevice,
  startMobilePush,
  type MobilePushConfig,
  type RunningMobilePush,
} from '@herald/mobile-push';
import { FakeFcm } from './fcm-server.js';

const account = 'acme';

type Kind = 'error' | 'call';

/** A mobile delivery of an add_error or an add_call, as the router publishes it. */
function mobileDelivery(userId: string, notificationId: string, kind: Kind = 'error', locale = 'en'): Delivery {
  const base = buildDelivery({ accountId: account, userId, notificationId });
  const notification = base.notification!;
  return {
    ...base,
    id: `${notificationId}.${userId}.mobile`,
    channel: 'CHANNEL_MOBILE',
    notification: {
      ...notification,
      body:
        kind === 'call'
          ? {
              $case: 'call',
              value: { text: 'Incoming call', from: '+1 555 0100', to: 'Alice', duration: 0, link: 'javascript:x' },
            }
          : notification.body,
    },
    recipient: { ...base.recipient!, locale },
  };
}

/** The error a call was refused with; a call that succeeds fails the spec. */
function refusal(call: Promise<unknown>): Promise<ServiceError> {
  return call.then(
    (reply) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(reply)}`);
    },
    (err: unknown) => err as ServiceError,
  );
}

function token(label: string): string {
  return `${label}-${uniqueName('tok')}:APA91b${'x'.repeat(40)}`;
}

describe('mobile-push: FCM through firebase-admin', () => {
  const schema = uniqueName('mobile_');
  const inboxSchema = uniqueName('inbox_');
  let fcm: FakeFcm;
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let inbox: RunningInterface;
  let service: RunningMobilePush;
  let devices: DevicesClient;
  let inboxClient: InboxClient;
  const outcomes: DeliveryOutcome[] = [];
  const call = <Req, Res>(client: DevicesClient | InboxClient, method: UnaryMethod<Req, Res>, request: Req) =>
    callUnary(method.bind(client), request, { deadlineMs: 5_000 });

  const register = (userId: string, tokenValue: string, platform: DevicePlatform, deviceName = '') =>
    call(devices, devices.register, {
      accountId: account,
      userId,
      token: tokenValue,
      platform,
      appVersion: '2.0.1',
      deviceName,
    });
  const listDevices = async (userId: string): Promise<Device[]> =>
    (await call(devices, devices.list, { accountId: account, userId })).devices;
  const publish = (d: Delivery, msgID = d.id) => bus.publish(topics.delivery, ['mobile', account], d, { msgID });
  const outcomesOf = (deliveryId: string) => outcomes.filter((o) => o.deliveryId === deliveryId);

  beforeAll(async () => {
    fcm = await FakeFcm.start();
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('mobile-push-test'));
    const shared = {
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: namespace,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      LOG_LEVEL: 'silent' as const,
    };
    inbox = await startInterface({ ...loadInterfaceConfig({}), ...shared, DB_SCHEMA: inboxSchema }, testLogger());
    const config: MobilePushConfig = {
      ...loadMobilePushConfig({
        // The key as JSON in a variable: the harder way in, written to a private file at start.
        FIREBASE_SERVICE_ACCOUNT_JSON: fcm.serviceAccountJson,
        FCM_CONNECT_TO: fcm.address,
        FCM_CA_FILE: fcm.caFile,
      }),
      ...shared,
      DB_SCHEMA: schema,
      INTERFACE_ADDR: `127.0.0.1:${inbox.port}`,
      CRM_BASE_URL: 'https://acme.example.com',
      // One batch at a time: a message published after another is handled after it.
      MOBILE_CONCURRENCY: 1,
      MOBILE_RETRY_BASE_MS: 50,
      FCM_RETRY_BASE_MS: 50,
      FCM_RETRY_MAX_MS: 1_000,
    };
    service = await startMobilePush(config, testLogger());
    devices = new DevicesClient(`127.0.0.1:${service.port}`, ...clientOptions());
    inboxClient = new InboxClient(`127.0.0.1:${inbox.port}`, ...clientOptions());
    await bus.consume(topics.deliveryOutcome, { durable: 'test-outcomes', filter: ['mobile'] }, async (batch) => {
      outcomes.push(...batch.map((m) => m.data));
    });
  });

  afterAll(async () => {
    devices.close();
    inboxClient.close();
    await service.stop();
    await inbox.stop();
    await cleanup();
    await fcm.close();
    await dropSchemas(schema, inboxSchema);
  });

  describe('device tokens', () => {
    it('registers, lists and removes a user’s devices; registering again updates the same device', async () => {
      const user = uniqueName('u');
      const phone = await register(user, token('phone'), DevicePlatform.DEVICE_PLATFORM_IOS, 'Alice’s iPhone');
      const tablet = await register(user, token('tablet'), DevicePlatform.DEVICE_PLATFORM_ANDROID);
      expect(phone.platform).toBe(DevicePlatform.DEVICE_PLATFORM_IOS);
      expect(phone.deviceName).toBe('Alice’s iPhone');
      const again = await register(user, phone.token, DevicePlatform.DEVICE_PLATFORM_IOS, 'renamed');
      expect(again.id).toBe(phone.id);
      expect((await listDevices(user)).map((d) => [d.id, d.deviceName])).toEqual([
        [phone.id, 'renamed'],
        [tablet.id, ''],
      ]);

      await call(devices, devices.remove, { accountId: account, userId: user, deviceId: tablet.id });
      expect((await listDevices(user)).map((d) => d.id)).toEqual([phone.id]);
      const notMine = await refusal(
        call(devices, devices.remove, { accountId: account, userId: uniqueName('u'), deviceId: phone.id }),
      );
      expect(notMine.code).toBe(status.NOT_FOUND);
      expect((await listDevices(user)).map((d) => d.id)).toEqual([phone.id]);
    });

    it('moves a token registered by another user instead of holding it twice', async () => {
      const [alice, bob] = [uniqueName('u'), uniqueName('u')];
      const shared = token('shared');
      await register(alice, shared, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      await register(bob, shared, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      expect(await listDevices(alice)).toEqual([]);
      expect((await listDevices(bob)).map((d) => d.token)).toEqual([shared]);
    });

    it('refuses bad input with INVALID_ARGUMENT naming the field', async () => {
      const user = uniqueName('u');
      const cases: [Parameters<typeof register>, string][] = [
        [[user, '', DevicePlatform.DEVICE_PLATFORM_IOS], 'token'],
        [[user, 'has spaces in it', DevicePlatform.DEVICE_PLATFORM_IOS], 'token'],
        [[user, 'x'.repeat(4097), DevicePlatform.DEVICE_PLATFORM_IOS], 'token'],
        [[user, token('p'), DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED], 'platform'],
        [[user, token('p'), DevicePlatform.DEVICE_PLATFORM_IOS, 'n'.repeat(201)], 'device_name'],
        [['bad user', token('p'), DevicePlatform.DEVICE_PLATFORM_IOS], 'user_id'],
      ];
      for (const [args, field] of cases) {
        const err = await refusal(register(...args));
        expect(err.code).toBe(status.INVALID_ARGUMENT);
        expect(err.metadata.get(FIELD_METADATA_KEY)).toEqual([field]);
      }
      const badId = await refusal(call(devices, devices.remove, { accountId: account, userId: user, deviceId: 'x' }));
      expect(badId.code).toBe(status.INVALID_ARGUMENT);
      expect(badId.metadata.get(FIELD_METADATA_KEY)).toEqual(['device_id']);
      expect(await listDevices(user)).toEqual([]);
    });
  });

  describe('sending', () => {
    it('sends one message per device, authorized by the exchanged token, with the Android and APNs fields and the badge', async () => {
      const user = uniqueName('u');
      const [android, ios] = [token('android'), token('ios')];
      await register(user, android, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      await register(user, ios, DevicePlatform.DEVICE_PLATFORM_IOS);
      // Two items in the inbox: the badge counts them.
      const first = buildDelivery({ accountId: account, userId: user, notificationId: `a-${user}` });
      const second = buildDelivery({ accountId: account, userId: user, notificationId: `b-${user}` });
      for (const d of [first, second]) await bus.publish(topics.delivery, ['interface', account], d, { msgID: d.id });
      await eventually(async () => {
        expect(
          (await call(inboxClient, inboxClient.unreadCount, { accountId: account, userId: user })).unreadCount,
        ).toBe(2);
      });

      const delivery = mobileDelivery(user, `b-${user}`, 'call', 'ru');
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );

      const [toAndroid] = fcm.accepted(android);
      const [toIos] = fcm.accepted(ios);
      expect(fcm.to(android)).toHaveLength(1);
      expect(fcm.to(ios)).toHaveLength(1);
      expect(fcm.issuedTokens.length).toBeGreaterThan(0);
      expect(fcm.refusedExchanges).toEqual([]);
      for (const request of [...fcm.to(android), ...fcm.to(ios)]) {
        expect(fcm.issuedTokens.map((t) => `Bearer ${t}`)).toContain(request.authorization);
        expect(request.servername).toBe('fcm.googleapis.com');
      }
      // Rendered in the recipient's language; the javascript: link is not a link.
      expect(toAndroid!.notification).toEqual({
        title: 'Входящий звонок от +1 555 0100',
        body: expect.stringContaining('Incoming call'),
      });
      expect(toAndroid!.data).toEqual({
        type: 'notification',
        notification_id: `b-${user}`,
        link: '',
        provider: 'p1',
        provider_name: 'Telephony',
        kind: 'call',
      });
      expect(toAndroid!.android).toEqual({
        priority: 'high',
        collapse_key: `b-${user}`,
        notification: { channel_id: 'herald_call', tag: `b-${user}` },
      });
      expect(toAndroid!.apns).toBeUndefined();
      expect(toIos!.apns).toEqual({
        headers: { 'apns-priority': '10', 'apns-push-type': 'alert', 'apns-collapse-id': `b-${user}` },
        payload: { aps: { 'thread-id': 'p1', sound: 'default', badge: 2 } },
      });
      expect(toIos!.android).toBeUndefined();
      expect(outcomesOf(delivery.id)[0]!.providerMessageId).toMatch(/^projects\/herald-test\/messages\/\d+$/);
    });

    it('splits more than 500 messages into sendEach calls of at most 500', async () => {
      const user = uniqueName('u');
      const tokens = Array.from({ length: 501 }, (_, i) => token(`many${i}`));
      for (let i = 0; i < tokens.length; i += 25) {
        await Promise.all(
          tokens.slice(i, i + 25).map((t) => register(user, t, DevicePlatform.DEVICE_PLATFORM_ANDROID)),
        );
      }
      const delivery = mobileDelivery(user, uniqueName('n'));
      await publish(delivery);
      // 501 HTTPS requests, the local FCM's TLS in this very process: a generous deadline on a busy machine.
      await eventually(
        () => expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
        40_000,
      );
      // firebase-admin refuses a sendEach of more than 500: every token reached means the split happened.
      for (const t of tokens) expect(fcm.accepted(t)).toHaveLength(1);
      const error = fcm.accepted(tokens[0]!)[0]!;
      expect(error.android?.priority).toBe('high');
      expect(error.android?.notification?.channel_id).toBe('herald_error');
    });

    it('removes a token FCM calls unregistered or invalid, and reports a delivery that reached none as failed', async () => {
      const user = uniqueName('u');
      const [good, gone, invalid] = [token('good'), token('gone'), token('invalid')];
      for (const t of [good, gone, invalid]) await register(user, t, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      fcm.refuse(gone, { status: 404, errorCode: 'UNREGISTERED' });
      fcm.refuse(invalid, { status: 400, errorCode: 'INVALID_ARGUMENT' });
      const delivery = mobileDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      expect((await listDevices(user)).map((d) => d.token)).toEqual([good]);

      const lonely = uniqueName('u');
      const only = token('only');
      await register(lonely, only, DevicePlatform.DEVICE_PLATFORM_IOS);
      fcm.refuse(only, { status: 404, errorCode: 'UNREGISTERED' });
      const failed = mobileDelivery(lonely, uniqueName('n'));
      await publish(failed);
      await eventually(() => expect(outcomesOf(failed.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_FAILED']));
      expect(outcomesOf(failed.id)[0]!.reason).toBe('messaging/registration-token-not-registered (token removed)');
      expect(await listDevices(lonely)).toEqual([]);
    });

    it('sends again after 429 and 503 in process, and delivers each message once', async () => {
      const user = uniqueName('u');
      const [limited, unavailable, fine] = [token('limited'), token('unavailable'), token('fine')];
      for (const t of [limited, unavailable, fine]) await register(user, t, DevicePlatform.DEVICE_PLATFORM_IOS);
      fcm.refuse(limited, { status: 429, errorCode: 'QUOTA_EXCEEDED' });
      // firebase-admin itself waits out a 503's Retry-After and sends again.
      fcm.refuse(unavailable, { status: 503, errorCode: 'UNAVAILABLE', retryAfter: '1' });
      const delivery = mobileDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      expect(fcm.to(limited).map((r) => r.status)).toEqual([429, 200]);
      expect(fcm.to(unavailable).map((r) => r.status)).toEqual([503, 200]);
      expect(fcm.to(fine).map((r) => r.status)).toEqual([200]);
      expect(outcomesOf(delivery.id)[0]!.tries).toBe(2);
    });

    it('leaves a long Retry-After to the redelivery, which sends only what FCM has not taken', async () => {
      const user = uniqueName('u');
      const [limited, fine] = [token('limited'), token('fine')];
      for (const t of [limited, fine]) await register(user, t, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      // Longer than FCM_RETRY_MAX_MS: the message goes back to JetStream, to come again no sooner.
      fcm.refuse(limited, { status: 429, errorCode: 'QUOTA_EXCEEDED', retryAfter: '2' });
      const delivery = mobileDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(
        () => expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
        15_000,
      );
      const attempts = fcm.to(limited);
      expect(attempts.map((r) => r.status)).toEqual([429, 200]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2_000);
      expect(fcm.to(fine).map((r) => r.status)).toEqual([200]);
      expect(outcomesOf(delivery.id)[0]!.tries).toBe(2);
    });

    it('sends nothing twice when a delivery is redelivered', async () => {
      const user = uniqueName('u');
      const phone = token('phone');
      await register(user, phone, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      const delivery = mobileDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() => expect(outcomesOf(delivery.id)).toHaveLength(1));
      await publish(delivery, 'redelivered');
      // Handled after the redelivery (one batch at a time): once it is sent, the redelivery was handled.
      const later = uniqueName('u');
      const laterPhone = token('later');
      await register(later, laterPhone, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      const sentinel = mobileDelivery(later, uniqueName('n'));
      await publish(sentinel);
      await eventually(() => expect(fcm.accepted(laterPhone)).toHaveLength(1));
      expect(fcm.to(phone)).toHaveLength(1);
      expect(outcomesOf(delivery.id)).toHaveLength(1);
    });

    it('skips a user without devices, saying so in the delivery log', async () => {
      const delivery = mobileDelivery(uniqueName('u'), uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => [o.status, o.reason])).toEqual([
          ['DELIVERY_STATUS_SKIPPED', noDevice],
        ]),
      );
    });

    it('pushes the read state when items are read in the notification center: the badge, and the ids to clear', async () => {
      const user = uniqueName('u');
      const [android, ios] = [token('android'), token('ios')];
      await register(user, android, DevicePlatform.DEVICE_PLATFORM_ANDROID);
      await register(user, ios, DevicePlatform.DEVICE_PLATFORM_IOS);
      const ids = [`r1-${user}`, `r2-${user}`, `r3-${user}`];
      for (const id of ids) {
        const d = buildDelivery({ accountId: account, userId: user, notificationId: id });
        await bus.publish(topics.delivery, ['interface', account], d, { msgID: d.id });
      }
      await eventually(async () => {
        expect(
          (await call(inboxClient, inboxClient.unreadCount, { accountId: account, userId: user })).unreadCount,
        ).toBe(3);
      });
      await call(inboxClient, inboxClient.markRead, { accountId: account, userId: user, notificationIds: [ids[0]!] });

      await eventually(() => expect(fcm.accepted(ios)).toHaveLength(1));
      await eventually(() => expect(fcm.accepted(android)).toHaveLength(1));
      const [toIos] = fcm.accepted(ios);
      const [toAndroid] = fcm.accepted(android);
      expect(toIos!.notification).toBeUndefined();
      expect(toIos!.data).toMatchObject({
        type: 'read',
        unread_count: '2',
        all: 'false',
        notification_ids: JSON.stringify([ids[0]]),
      });
      expect(toIos!.apns?.payload?.aps).toEqual({ badge: 2, 'content-available': 1 });
      expect(toAndroid!.notification).toBeUndefined();
      expect(toAndroid!.data).toMatchObject({ type: 'read', unread_count: '2' });
      expect(toAndroid!.android).toEqual({ priority: 'normal', collapse_key: 'herald_read' });
    });
  });
});

describe('mobile-push: without a Firebase service account', () => {
  const schema = uniqueName('mobile_');
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let service: RunningMobilePush;

  beforeAll(async () => {
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('mobile-push-off-test'));
    service = await startMobilePush(
      {
        ...loadMobilePushConfig({}),
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

  it('starts, and skips every delivery with the reason in the delivery log', async () => {
    expect(service.enabled).toBe(false);
    const outcomes: DeliveryOutcome[] = [];
    await bus.consume(topics.deliveryOutcome, { durable: 'test-outcomes-off' }, async (batch) => {
      outcomes.push(...batch.map((m) => m.data));
    });
    const delivery = mobileDelivery(uniqueName('u'), uniqueName('n'));
    await bus.publish(topics.delivery, ['mobile', account], delivery, { msgID: delivery.id });
    await eventually(() =>
      expect(outcomes.map((o) => [o.deliveryId, o.status, o.reason])).toEqual([
        [delivery.id, 'DELIVERY_STATUS_SKIPPED', mobilePushOff],
      ]),
    );
  });
});
