import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { loadMobilePushConfig, startMobilePush, type RunningMobilePush } from '@herald/mobile-push';
import { dropSchemas, freePort, testEnv, testLogger, uniqueName } from '@herald/testing';
import { startHarness, type Answer, type Client, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

const token = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));

interface DeviceJson {
  id: string;
  token: string;
  platform: string;
  app_version: string;
  device_name: string;
  registered_at: string;
}

describe('/api/v1/me/push/devices', () => {
  let h: Harness;
  let gateway: Client;
  let mobilePush: RunningMobilePush;
  const schema = uniqueName('push_');
  const account = uniqueName('acct');
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    h = await startHarness();
    // Without Firebase credentials: mobile push is off, its devices are served all the same.
    mobilePush = await startMobilePush(
      {
        ...loadMobilePushConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: h.stack.namespace,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
        DB_SCHEMA: schema,
        INTERFACE_ADDR: `127.0.0.1:${h.stack.interfaceService.port}`,
      },
      testLogger(),
    );
    gateway = await h.another({ MOBILE_PUSH_ADDR: `127.0.0.1:${mobilePush.port}` });
    const { secret } = await h.seed(account, ['alice', 'bob']);
    alice = await token(secret, { account, user: 'alice' });
    bob = await token(secret, { account, user: 'bob' });
  });
  afterAll(async () => {
    await h.stop();
    await mobilePush.stop();
    await dropSchemas(schema);
  });

  const register = (bearer: string | undefined, body: unknown) =>
    gateway.request({ method: 'POST', url: '/api/v1/me/push/devices', bearer, body });
  const list = async (bearer: string) =>
    (await gateway.request({ method: 'GET', url: '/api/v1/me/push/devices', bearer })).json<{
      devices: DeviceJson[];
    }>().devices;
  const remove = (bearer: string | undefined, device: string) =>
    gateway.request({ method: 'DELETE', url: `/api/v1/me/push/devices/${encodeURIComponent(device)}`, bearer });

  it('registers my phone, updates it when registered again, and lists it', async () => {
    const first = await register(alice, {
      token: 'fcm:alice-phone-1',
      platform: 'android',
      app_version: '1.2.0',
      device_name: 'Pixel',
    });
    expect(first.statusCode).toBe(200);
    const device = first.json<DeviceJson>();
    expect(device).toMatchObject({ token: 'fcm:alice-phone-1', platform: 'android', app_version: '1.2.0' });
    const again = await register(alice, { token: 'fcm:alice-phone-1', platform: 'android', device_name: 'Work' });
    expect(again.json<DeviceJson>()).toMatchObject({ id: device.id, device_name: 'Work', app_version: '' });
    await register(alice, { token: 'fcm:alice-ipad', platform: 'ios' });
    expect((await list(alice)).map((d) => [d.token, d.platform])).toEqual([
      ['fcm:alice-ipad', 'ios'],
      ['fcm:alice-phone-1', 'android'],
    ]);
    expect(await list(bob)).toEqual([]);
  });

  it('moves a token another user registers, never holding it twice', async () => {
    await register(alice, { token: 'fcm:shared-phone', platform: 'ios' });
    await register(bob, { token: 'fcm:shared-phone', platform: 'ios', device_name: 'Now Bob’s' });
    expect((await list(alice)).map((d) => d.token)).not.toContain('fcm:shared-phone');
    expect((await list(bob)).map((d) => [d.token, d.device_name])).toEqual([['fcm:shared-phone', 'Now Bob’s']]);
  });

  it('refuses a bad device with a 400 naming the field, and a missing token with a 401', async () => {
    const refused = [
      [{ token: 'fcm:x', platform: 'windows' }, 'platform'],
      [{ platform: 'ios' }, 'token'],
      [{ token: 'has spaces in it', platform: 'ios' }, 'token'],
      [{ token: 'fcm:x', platform: 'ios', app_version: 'v'.repeat(65) }, 'app_version'],
      [{ token: 'fcm:x', platform: 'ios', device_name: 'bell\u0007' }, 'device_name'],
      [{ token: 'fcm:x', platform: 'ios', user: 'bob' }, 'user'],
    ] as const;
    for (const [body, field] of refused) {
      const answer = await register(alice, body);
      expect([field, answer.statusCode, errorOf(answer).field]).toEqual([field, 400, field]);
    }
    expect((await register(undefined, { token: 'fcm:x', platform: 'ios' })).statusCode).toBe(401);
    expect((await gateway.request({ method: 'GET', url: '/api/v1/me/push/devices' })).statusCode).toBe(401);
    expect((await list(alice)).map((d) => d.token)).not.toContain('fcm:x');
  });

  it('removes one of my devices by id or by token; another user’s is a 404 and stays', async () => {
    const [ipad, phone] = await list(alice);
    const [bobs] = await list(bob);
    const stolen = await remove(alice, bobs?.id ?? '');
    expect([stolen.statusCode, errorOf(stolen).code]).toEqual([404, 'NOT_FOUND']);
    expect((await remove(alice, 'fcm:shared-phone')).statusCode).toBe(404);
    expect(await list(bob)).toHaveLength(1);

    expect((await remove(alice, ipad?.id ?? '')).statusCode).toBe(204);
    expect((await remove(alice, ipad?.id ?? '')).statusCode).toBe(404);
    expect((await remove(alice, phone?.token ?? '')).statusCode).toBe(204);
    expect(await list(alice)).toEqual([]);
    expect((await remove(undefined, bobs?.id ?? '')).statusCode).toBe(401);
  });

  it('answers 503 while mobile push does not answer, and stays ready for the rest', async () => {
    const astray = await h.another({ MOBILE_PUSH_ADDR: `127.0.0.1:${await freePort()}`, RPC_DEADLINE_MS: '1000' });
    const answer = await astray.request({ method: 'GET', url: '/api/v1/me/push/devices', bearer: alice });
    expect([answer.statusCode, errorOf(answer).code]).toEqual([503, 'UNAVAILABLE']);
    expect((await astray.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
