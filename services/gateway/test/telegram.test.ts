import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { dropSchemas, eventually, freePort, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadTelegramConfig, startTelegram, type RunningTelegram } from '@herald/telegram';
import { FakeBotApi } from '../../telegram/test/bot-api-server.js';
import { startHarness, type Client, type Harness } from './harness.js';

async function token(secret: string, claims: Record<string, unknown>) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

describe('the Telegram routes of a signed-in person', () => {
  const schema = uniqueName('telegram_');
  const account = uniqueName('acct');
  let h: Harness;
  let api: FakeBotApi;
  let telegram: RunningTelegram;
  let gateway: Client;
  let alice: string;

  beforeAll(async () => {
    h = await startHarness();
    api = await FakeBotApi.start();
    telegram = await startTelegram(
      {
        ...loadTelegramConfig({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_URL: api.url }),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: h.stack.namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
        INTERFACE_ADDR: `127.0.0.1:${h.stack.interfaceService.port}`,
      },
      testLogger(),
    );
    gateway = await h.another({ TELEGRAM_ADDR: `127.0.0.1:${telegram.port}` });
    const { secret } = await h.seed(account, ['alice']);
    alice = await token(secret, { account, user: 'alice' });
  });

  afterAll(async () => {
    await h.stop();
    await telegram.stop();
    await api.close();
    await dropSchemas(schema);
  });

  it('links from "+" to /start in Telegram to "connected", and disconnects', async () => {
    const before = await gateway.request({ method: 'GET', url: '/api/v1/me/telegram', bearer: alice });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ connected: false });

    const created = await gateway.request({ method: 'POST', url: '/api/v1/me/telegram/link', bearer: alice });
    expect(created.statusCode).toBe(201);
    const { url, expires_at } = created.json<{ url: string; expires_at: string }>();
    expect(url).toMatch(/^https:\/\/t\.me\/herald_test_bot\?start=[A-Za-z0-9_-]+$/);
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());

    // The person opens the link: Telegram sends the bot /start with the token.
    api.say(
      { id: 7_000_001, username: 'alice_tg', languageCode: 'en' },
      `/start ${new URL(url).searchParams.get('start')!}`,
    );
    const connected = await eventually(async () => {
      const answer = await gateway.request({ method: 'GET', url: '/api/v1/me/telegram', bearer: alice });
      expect(answer.json()).toMatchObject({ connected: true });
      return answer.json<{ connected: boolean; username: string; linked_at: string }>();
    });
    expect(connected.username).toBe('alice_tg');
    expect(Number.isNaN(Date.parse(connected.linked_at))).toBe(false);

    const removed = await gateway.request({ method: 'DELETE', url: '/api/v1/me/telegram', bearer: alice });
    expect(removed.statusCode).toBe(204);
    expect(removed.body).toBe('');
    expect((await gateway.request({ method: 'GET', url: '/api/v1/me/telegram', bearer: alice })).json()).toEqual({
      connected: false,
    });
  });

  it('answers nothing without a person’s token', async () => {
    for (const [method, url] of [
      ['POST', '/api/v1/me/telegram/link'],
      ['GET', '/api/v1/me/telegram'],
      ['DELETE', '/api/v1/me/telegram'],
    ] as const) {
      const answer = await gateway.request({ method, url });
      expect(answer.statusCode).toBe(401);
      expect(answer.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('says 409 when Telegram is off, and 503 when the telegram service is not there', async () => {
    const offSchema = uniqueName('telegram_');
    const off = await startTelegram(
      {
        ...loadTelegramConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: h.stack.namespace,
        DB_SCHEMA: offSchema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
    try {
      const toOff = await h.another({ TELEGRAM_ADDR: `127.0.0.1:${off.port}` });
      const refused = await toOff.request({ method: 'POST', url: '/api/v1/me/telegram/link', bearer: alice });
      expect(refused.statusCode).toBe(409);
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/Telegram is off/);
    } finally {
      await off.stop();
      await dropSchemas(offSchema);
    }
    const astray = await h.another({ TELEGRAM_ADDR: `127.0.0.1:${await freePort()}`, RPC_DEADLINE_MS: '1000' });
    const down = await astray.request({ method: 'GET', url: '/api/v1/me/telegram', bearer: alice });
    expect(down.statusCode).toBe(503);
    // The gateway itself stays ready: Telegram is one channel, not the core.
    expect((await astray.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
