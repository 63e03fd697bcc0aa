import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status, type ServiceError } from '@grpc/grpc-js';
import webpush from 'web-push';
import type { Bus } from '@herald/bus';
import {
  InboxClient,
  PushSubscriptionsClient,
  topics,
  type Delivery,
  type DeliveryOutcome,
  type PushSubscription,
} from '@herald/contracts';
import { callUnary, clientOptions, FIELD_METADATA_KEY, type UnaryMethod } from '@herald/rpc';
import {
  buildDelivery,
  dropSchemas,
  eventually,
  exitOf,
  freePort,
  isolatedBus,
  startServiceProcess,
  testEnv,
  testLogger,
  uniqueName,
  untilServing,
} from '@herald/testing';
import { loadInterfaceConfig, startInterface, type RunningInterface } from '@herald/interface';
import { maxPayloadBytes, noSubscription, topicOf } from '@herald/browser-push';
import { LocalPushService, type TestSubscription } from './push-service.js';

const account = 'acme';
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A browser delivery of an add_error, as the router publishes it. */
function browserDelivery(userId: string, notificationId: string, text?: string): Delivery {
  const base = buildDelivery({
    accountId: account,
    userId,
    notificationId,
    channel: 'CHANNEL_BROWSER',
    ...(text ? { text } : {}),
  });
  return base;
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

describe('browser-push: Web Push to a local push service, the service as its own process', () => {
  const schema = uniqueName('browser_push_');
  const inboxSchema = uniqueName('inbox_');
  const vapid = webpush.generateVAPIDKeys();
  let push: LocalPushService;
  /** A developer's push service over plain http, allowed by PUSH_ENDPOINT_ALLOWLIST. */
  let plain: LocalPushService;
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let inbox: RunningInterface;
  let child: ChildProcess;
  let stderr = '';
  let subscriptions: PushSubscriptionsClient;
  let inboxClient: InboxClient;
  const outcomes: DeliveryOutcome[] = [];
  const call = <Req, Res>(client: PushSubscriptionsClient | InboxClient, method: UnaryMethod<Req, Res>, request: Req) =>
    callUnary(method.bind(client), request, { deadlineMs: 5_000 });

  const register = (userId: string, subscription: TestSubscription): Promise<PushSubscription> =>
    call(subscriptions, subscriptions.register, {
      accountId: account,
      userId,
      endpoint: subscription.json.endpoint,
      p256dh: subscription.json.keys.p256dh,
      auth: subscription.json.keys.auth,
    });
  const list = async (userId: string) =>
    (await call(subscriptions, subscriptions.list, { accountId: account, userId })).subscriptions;
  const publish = (d: Delivery, msgID = d.id) => bus.publish(topics.delivery, ['browser', account], d, { msgID });
  const outcomesOf = (deliveryId: string) => outcomes.filter((o) => o.deliveryId === deliveryId);
  const toInbox = async (userId: string, ids: readonly string[]) => {
    for (const id of ids) {
      const d = buildDelivery({ accountId: account, userId, notificationId: id });
      await bus.publish(topics.delivery, ['interface', account], d, { msgID: d.id });
    }
    await eventually(async () => {
      const reply = await call(inboxClient, inboxClient.unreadCount, { accountId: account, userId });
      expect(reply.unreadCount).toBe(ids.length);
    });
  };

  beforeAll(async () => {
    push = await LocalPushService.start(vapid.publicKey);
    plain = await LocalPushService.start(vapid.publicKey, { plain: true });
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('browser-push-test'));
    inbox = await startInterface(
      {
        ...loadInterfaceConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: inboxSchema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
    const port = await freePort();
    child = startServiceProcess('browser-push', {
      env: {
        // The push service's certificate is from the test's CA: trusted as an operator would trust a proxy's.
        NODE_EXTRA_CA_CERTS: push.caFile,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: String(port),
        METRICS_PORT: '0',
        INTERFACE_ADDR: `127.0.0.1:${inbox.port}`,
        CRM_BASE_URL: 'https://acme.example.com',
        NOTIFICATION_CENTER_URL: 'https://acme.example.com/notifications',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:ops@acme.example.com',
        PUSH_ENDPOINT_ALLOWLIST: `${push.origin},${plain.origin}`,
        // One batch at a time: a message published after another is handled after it.
        BROWSER_CONCURRENCY: '1',
        BROWSER_RETRY_BASE_MS: '50',
        PUSH_RETRY_BASE_MS: '50',
        PUSH_RETRY_MAX_MS: '1000',
        PUSH_TTL_S: '3600',
      },
    });
    child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    await untilServing(`127.0.0.1:${port}`);
    subscriptions = new PushSubscriptionsClient(`127.0.0.1:${port}`, ...clientOptions());
    inboxClient = new InboxClient(`127.0.0.1:${inbox.port}`, ...clientOptions());
    await bus.consume(topics.deliveryOutcome, { durable: 'test-outcomes', filter: ['browser'] }, async (batch) => {
      outcomes.push(...batch.map((m) => m.data));
    });
  });

  afterAll(async () => {
    subscriptions?.close();
    inboxClient?.close();
    if (child) {
      child.kill('SIGTERM');
      await exitOf(child);
    }
    await inbox?.stop();
    await cleanup?.();
    await push?.close();
    await plain?.close();
    await dropSchemas(schema, inboxSchema);
  });

  describe('subscriptions', () => {
    it('serves the VAPID public key the browser subscribes with', async () => {
      const reply = await call(subscriptions, subscriptions.getVapidPublicKey, {});
      expect(reply.publicKey).toBe(vapid.publicKey);
    });

    it('registers, lists and removes a user’s browsers; registering again keeps the same subscription', async () => {
      const user = uniqueName('u');
      const [firefox, chromium] = [push.subscribe('firefox'), push.subscribe('chromium')];
      const first = await register(user, firefox);
      const second = await register(user, chromium);
      expect(first.endpoint).toBe(firefox.endpoint);
      expect(first.createdAt).toBeInstanceOf(Date);
      expect((await register(user, firefox)).id).toBe(first.id);
      expect((await list(user)).map((s) => s.id).sort()).toEqual([first.id, second.id].sort());

      const notMine = await refusal(
        call(subscriptions, subscriptions.remove, {
          accountId: account,
          userId: uniqueName('u'),
          subscriptionId: first.id,
        }),
      );
      expect(notMine.code).toBe(status.NOT_FOUND);
      await call(subscriptions, subscriptions.remove, { accountId: account, userId: user, subscriptionId: first.id });
      expect((await list(user)).map((s) => s.id)).toEqual([second.id]);
    });

    it('moves an endpoint registered by another user instead of holding it twice', async () => {
      const [alice, bob] = [uniqueName('u'), uniqueName('u')];
      const shared = push.subscribe('shared');
      await register(alice, shared);
      await register(bob, shared);
      expect(await list(alice)).toEqual([]);
      expect((await list(bob)).map((s) => s.endpoint)).toEqual([shared.endpoint]);
    });

    it('refuses an invalid subscription with INVALID_ARGUMENT naming the field, and stores nothing', async () => {
      const user = uniqueName('u');
      const good = push.subscribe('good').json;
      const notOnCurve = Buffer.alloc(65, 7);
      notOnCurve[0] = 4;
      const cases: [Partial<{ endpoint: string; p256dh: string; auth: string; expirationTime: number }>, string][] = [
        [{ endpoint: '' }, 'endpoint'],
        [{ endpoint: 'http://push.example.com/x' }, 'endpoint'],
        [{ endpoint: 'https://10.1.2.3/push/x' }, 'endpoint'],
        [{ endpoint: 'https://localhost/push/x' }, 'endpoint'],
        [{ endpoint: 'not a url' }, 'endpoint'],
        [{ p256dh: '' }, 'keys.p256dh'],
        [{ p256dh: 'not base64url!' }, 'keys.p256dh'],
        [{ p256dh: Buffer.alloc(33, 1).toString('base64url') }, 'keys.p256dh'],
        [{ p256dh: notOnCurve.toString('base64url') }, 'keys.p256dh'],
        [{ auth: Buffer.alloc(8, 1).toString('base64url') }, 'keys.auth'],
        [{ expirationTime: Date.now() - 1_000 }, 'expiration_time'],
      ];
      for (const [change, field] of cases) {
        const err = await refusal(
          call(subscriptions, subscriptions.register, {
            accountId: account,
            userId: user,
            endpoint: good.endpoint,
            p256dh: good.keys.p256dh,
            auth: good.keys.auth,
            ...change,
          }),
        );
        expect([err.code, err.metadata.get(FIELD_METADATA_KEY)]).toEqual([status.INVALID_ARGUMENT, [field]]);
      }
      expect(await list(user)).toEqual([]);
    });
  });

  describe('sending', () => {
    it('pushes to every browser of the user: VAPID-signed, encrypted to each, with TTL, Urgency, Topic and the badge', async () => {
      const user = uniqueName('u');
      const [one, two] = [push.subscribe('one'), push.subscribe('two')];
      await register(user, one);
      await register(user, two);
      const id = `n-${user}`;
      await toInbox(user, [`old-${user}`, id]);
      const delivery = browserDelivery(user, id, 'Failed to set the task! <b>Contact</b> not found!');
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      expect(push.violations).toEqual([]);
      for (const subscription of [one, two]) {
        const [request, ...more] = push.to(subscription);
        expect(more).toEqual([]);
        expect(request!.jwt).toEqual({
          aud: push.origin,
          exp: expect.any(Number),
          sub: 'mailto:ops@acme.example.com',
        });
        expect(request!.ttl).toBe(3600);
        expect(request!.urgency).toBe('high');
        expect(request!.topic).toBe(topicOf(id));
        expect(request!.payload).toEqual({
          type: 'notification',
          id,
          title: 'Error',
          body: 'Failed to set the task! <b>Contact</b> not found!',
          url: 'https://acme.example.com/contacts',
          kind: 'error',
          provider: 'Telephony',
          date: delivery.notification!.occurredAt!.toISOString(),
          unread_count: 2,
        });
      }
      expect(outcomesOf(delivery.id)[0]!.providerMessageId).toMatch(/\/message\/\d+$/);
    });

    it('keeps the payload within 4 KB, cutting a long text at a character boundary', async () => {
      const user = uniqueName('u');
      const browser = push.subscribe('long');
      await register(user, browser);
      // 4000 characters of four bytes and more each: far past 4 KB; each thumb with its skin tone is one character.
      const text = '👍🏽é'.repeat(1333);
      const delivery = browserDelivery(user, uniqueName('n'), text);
      await publish(delivery);
      await eventually(() => expect(push.delivered(browser)).toHaveLength(1));
      const [request] = push.to(browser);
      expect(request!.bodyBytes).toBeLessThanOrEqual(4096);
      const body = request!.payload['body'] as string;
      expect(Buffer.byteLength(JSON.stringify(request!.payload))).toBeLessThanOrEqual(maxPayloadBytes);
      expect(body.endsWith('…')).toBe(true);
      const kept = body.slice(0, -1);
      expect(text.startsWith(kept)).toBe(true);
      // Whole characters only: the kept part is a run of whole graphemes of the text.
      const graphemes = [...segmenter.segment(kept)].map((s) => s.segment);
      expect(graphemes.every((g) => g === '👍🏽' || g === 'é')).toBe(true);
      expect(graphemes.length).toBeGreaterThan(500);
    });

    it('removes a subscription its push service answers 404 or 410, and fails a delivery that reached none', async () => {
      const user = uniqueName('u');
      const [good, notFound, gone] = [push.subscribe('good'), push.subscribe('not-found'), push.subscribe('gone')];
      for (const s of [good, notFound, gone]) await register(user, s);
      push.script(notFound, { status: 404 });
      push.script(gone, { status: 410 });
      const delivery = browserDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      expect((await list(user)).map((s) => s.endpoint)).toEqual([good.endpoint]);

      const lonely = uniqueName('u');
      const only = push.subscribe('only');
      await register(lonely, only);
      push.script(only, { status: 410 });
      const failed = browserDelivery(lonely, uniqueName('n'));
      await publish(failed);
      await eventually(() =>
        expect(outcomesOf(failed.id).map((o) => [o.status, o.reason])).toEqual([
          ['DELIVERY_STATUS_FAILED', 'HTTP 410 (subscription removed)'],
        ]),
      );
      expect(await list(lonely)).toEqual([]);
    });

    it('sends again after 429 with Retry-After and after 503, and delivers each push once', async () => {
      const user = uniqueName('u');
      const [limited, unavailable, fine] = [push.subscribe('limited'), push.subscribe('down'), push.subscribe('fine')];
      for (const s of [limited, unavailable, fine]) await register(user, s);
      push.script(limited, { status: 429, headers: { 'retry-after': '1' } });
      push.script(unavailable, { status: 503 });
      const delivery = browserDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      const attempts = push.to(limited);
      expect(attempts.map((r) => r.status)).toEqual([429, 201]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
      expect(push.to(unavailable).map((r) => r.status)).toEqual([503, 201]);
      expect(push.to(fine).map((r) => r.status)).toEqual([201]);
      expect(outcomesOf(delivery.id)[0]!.tries).toBe(2);
    });

    it('sends nothing twice when a delivery is redelivered', async () => {
      const user = uniqueName('u');
      const browser = push.subscribe('once');
      await register(user, browser);
      const delivery = browserDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() => expect(outcomesOf(delivery.id)).toHaveLength(1));
      await publish(delivery, 'redelivered');
      // Handled after the redelivery (one batch at a time): once it is sent, the redelivery was handled.
      const later = uniqueName('u');
      const laterBrowser = push.subscribe('later');
      await register(later, laterBrowser);
      await publish(browserDelivery(later, uniqueName('n')));
      await eventually(() => expect(push.delivered(laterBrowser)).toHaveLength(1));
      expect(push.to(browser)).toHaveLength(1);
      expect(outcomesOf(delivery.id)).toHaveLength(1);
    });

    it('sends over plain http only to a push service of the allow-list', async () => {
      const user = uniqueName('u');
      const local = plain.subscribe('local');
      await register(user, local);
      const delivery = browserDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      expect(plain.violations).toEqual([]);
      expect(plain.delivered(local)).toEqual([
        expect.objectContaining({ type: 'notification', id: delivery.notification!.id }),
      ]);
      expect(plain.to(local)[0]!.jwt.aud).toBe(plain.origin);
    });

    it('skips a user without a subscribed browser, saying so in the delivery log', async () => {
      const delivery = browserDelivery(uniqueName('u'), uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => [o.status, o.reason])).toEqual([
          ['DELIVERY_STATUS_SKIPPED', noSubscription],
        ]),
      );
    });

    it('sends the closing push when items are read in the notification center', async () => {
      const user = uniqueName('u');
      const browser = push.subscribe('reader');
      await register(user, browser);
      const ids = [`r1-${user}`, `r2-${user}`, `r3-${user}`];
      await toInbox(user, ids);
      await call(inboxClient, inboxClient.markRead, { accountId: account, userId: user, notificationIds: [ids[0]!] });
      await eventually(() => expect(push.delivered(browser)).toHaveLength(1));
      const [request] = push.to(browser);
      expect(request!.payload).toEqual({ type: 'read', ids: [ids[0]], all: false, unread_count: 2 });
      // Its Topic is the item's: a notification the push service still holds for an offline browser is replaced.
      expect(request!.topic).toBe(topicOf(ids[0]!));
      expect(request!.urgency).toBe('normal');

      await call(inboxClient, inboxClient.markAllRead, { accountId: account, userId: user });
      await eventually(() => expect(push.delivered(browser)).toHaveLength(2));
      expect(push.to(browser)[1]!.payload).toEqual({ type: 'read', ids: [], all: true, unread_count: 0 });
      expect(push.violations).toEqual([]);
      expect(stderr).toBe('');
    });
  });
});
