import { createECDH } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { dropSchemas, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadBrowserPushConfig, startBrowserPush, type RunningBrowserPush } from '@herald/browser-push';
import { startHarness, type Answer, type Client, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; message: string; field?: string } }>().error;

async function token(secret: string, claims: Record<string, unknown>) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

/** A P-256 key pair, base64url: a VAPID pair, or the keys a browser subscribes with. */
function keyPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: ecdh.getPrivateKey('base64url') };
}

/** What a browser's `PushSubscription.toJSON()` gives the page. */
function browserSubscription(endpoint = `https://push.example.net/wpush/v2/${uniqueName('s')}`) {
  return {
    endpoint,
    expirationTime: null,
    keys: {
      p256dh: keyPair().publicKey,
      auth: Buffer.from(uniqueName('a').padEnd(16, 'x').slice(0, 16)).toString('base64url'),
    },
  };
}

describe('the browser push routes of a signed-in person', () => {
  const vapid = keyPair();
  const schemas = [uniqueName('browser_push_'), uniqueName('browser_push_')];
  let h: Harness;
  let on: Client;
  let off: Client;
  const services: RunningBrowserPush[] = [];
  let alice: string;
  let bob: string;
  const account = uniqueName('acct');

  beforeAll(async () => {
    h = await startHarness();
    const { secret } = await h.seed(account, ['alice', 'bob']);
    alice = await token(secret, { account, user: 'alice' });
    bob = await token(secret, { account, user: 'bob' });
    const shared = {
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: h.stack.namespace,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      LOG_LEVEL: 'silent' as const,
    };
    const keys = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey };
    services.push(
      await startBrowserPush(
        {
          ...loadBrowserPushConfig({ ...keys, VAPID_SUBJECT: 'mailto:ops@example.com' }),
          ...shared,
          DB_SCHEMA: schemas[0]!,
        },
        testLogger(),
      ),
    );
    services.push(
      await startBrowserPush({ ...loadBrowserPushConfig({}), ...shared, DB_SCHEMA: schemas[1]! }, testLogger()),
    );
    on = await h.another({ BROWSER_PUSH_ADDR: `127.0.0.1:${services[0]!.port}` });
    off = await h.another({ BROWSER_PUSH_ADDR: `127.0.0.1:${services[1]!.port}` });
  });

  afterAll(async () => {
    await h?.stop();
    for (const service of services) await service.stop();
    await dropSchemas(...schemas);
  });

  it('serves the VAPID public key, and says plainly when browser push is off', async () => {
    const key = await on.request({ method: 'GET', url: '/api/v1/me/push/vapid-public-key', bearer: alice });
    expect(key.statusCode).toBe(200);
    expect(key.json()).toEqual({ public_key: vapid.publicKey });

    const none = await off.request({ method: 'GET', url: '/api/v1/me/push/vapid-public-key', bearer: alice });
    expect(none.statusCode).toBe(503);
    expect(errorOf(none)).toEqual({
      code: 'UNAVAILABLE',
      message: 'browser push is off: the deployment has no VAPID keys configured',
    });
  });

  it('refuses every route without a person token', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/me/push/vapid-public-key'],
      ['GET', '/api/v1/me/push/subscriptions'],
      ['POST', '/api/v1/me/push/subscriptions'],
      ['DELETE', '/api/v1/me/push/subscriptions/x'],
    ] as const) {
      const answer = await on.request({ method, url, ...(method === 'POST' ? { body: browserSubscription() } : {}) });
      expect([method, url, answer.statusCode]).toEqual([method, url, 401]);
    }
  });

  it('subscribes a browser, lists it for its user only, and unsubscribes it', async () => {
    const subscription = browserSubscription();
    const created = await on.request({
      method: 'POST',
      url: '/api/v1/me/push/subscriptions',
      bearer: alice,
      body: subscription,
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ id: string; endpoint: string; created_at: string }>();
    expect(body).toEqual({ id: expect.any(String), endpoint: subscription.endpoint, created_at: expect.any(String) });
    expect(Date.parse(body.created_at)).not.toBeNaN();

    const again = await on.request({
      method: 'POST',
      url: '/api/v1/me/push/subscriptions',
      bearer: alice,
      body: { ...subscription, expirationTime: Date.now() + 86_400_000 },
    });
    expect(again.json<{ id: string; expiration_time?: string }>()).toMatchObject({
      id: body.id,
      expiration_time: expect.any(String),
    });

    const mine = await on.request({ method: 'GET', url: '/api/v1/me/push/subscriptions', bearer: alice });
    expect(mine.json<{ subscriptions: { id: string }[] }>().subscriptions.map((s) => s.id)).toEqual([body.id]);
    const bobs = await on.request({ method: 'GET', url: '/api/v1/me/push/subscriptions', bearer: bob });
    expect(bobs.json()).toEqual({ subscriptions: [] });

    const notBobs = await on.request({
      method: 'DELETE',
      url: `/api/v1/me/push/subscriptions/${body.id}`,
      bearer: bob,
    });
    expect(notBobs.statusCode).toBe(404);
    const removed = await on.request({
      method: 'DELETE',
      url: `/api/v1/me/push/subscriptions/${body.id}`,
      bearer: alice,
    });
    expect(removed.statusCode).toBe(204);
    const gone = await on.request({ method: 'GET', url: '/api/v1/me/push/subscriptions', bearer: alice });
    expect(gone.json()).toEqual({ subscriptions: [] });
  });

  it('refuses an invalid subscription with 400 naming the field', async () => {
    const good = browserSubscription();
    const cases: [unknown, string][] = [
      [{ ...good, endpoint: 'http://push.example.net/x' }, 'endpoint'],
      [{ ...good, endpoint: 'https://192.168.1.10/push' }, 'endpoint'],
      [{ ...good, keys: { ...good.keys, p256dh: Buffer.alloc(64, 1).toString('base64url') } }, 'keys.p256dh'],
      [{ ...good, keys: { ...good.keys, p256dh: 'not base64!' } }, 'keys.p256dh'],
      [{ ...good, keys: { ...good.keys, auth: 'AAAA' } }, 'keys.auth'],
      [{ ...good, keys: { p256dh: good.keys.p256dh } }, 'keys.auth'],
      [{ endpoint: good.endpoint }, 'keys'],
      [{ ...good, expirationTime: Date.now() - 1_000 }, 'expirationTime'],
      [{ ...good, extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const answer = await on.request({ method: 'POST', url: '/api/v1/me/push/subscriptions', bearer: alice, body });
      expect([answer.statusCode, errorOf(answer).code, errorOf(answer).field]).toEqual([
        400,
        'INVALID_ARGUMENT',
        field,
      ]);
      expect(errorOf(answer).message.startsWith(`${field}: `)).toBe(true);
    }
    const badId = await on.request({ method: 'DELETE', url: '/api/v1/me/push/subscriptions/x', bearer: alice });
    expect([badId.statusCode, errorOf(badId).field]).toEqual([400, 'id']);
    const mine = await on.request({ method: 'GET', url: '/api/v1/me/push/subscriptions', bearer: alice });
    expect(mine.json()).toEqual({ subscriptions: [] });
  });
});
