import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { freePort, uniqueName } from '@herald/testing';
import { startHarness, type Answer, type Client, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

describe('limits, documentation and operations', () => {
  let h: Harness;
  let strict: Client;
  let apiKey: string;
  const account = uniqueName('acct');

  beforeAll(async () => {
    h = await startHarness();
    strict = await h.another({ RATE_LIMIT_MAX: '3', RATE_WINDOW_MS: '60000', BODY_LIMIT_BYTES: '2048' });
    ({ apiKey } = await h.seed(account, ['u1']));
  });
  afterAll(() => h.stop());

  it('answers 429 with Retry-After once a key spent its budget, other keys unaffected', async () => {
    const send = (bearer: string) =>
      strict.request({
        method: 'POST',
        url: '/api/v1/notifications/show_message',
        bearer,
        body: { header: 'h', text: 't' },
      });
    for (let i = 0; i < 3; i++) expect((await send(apiKey)).statusCode).toBe(202);
    const limited = await send(apiKey);
    expect(limited.statusCode).toBe(429);
    expect(errorOf(limited).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // A different key has a budget of its own (and is refused for what it is).
    expect((await send('hk_00000000-0000-0000-0000-000000000000_x')).statusCode).toBe(401);
    expect((await strict.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('answers 413 for a body over the limit, storing nothing', async () => {
    const big = await strict.request({
      method: 'POST',
      url: '/api/v1/notifications/add_error',
      bearer: 'hk_other',
      body: { text: 'x'.repeat(4000) },
    });
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('publishes a valid OpenAPI 3.1 document holding every route, and the docs page', async () => {
    const document = (await h.request({ method: 'GET', url: '/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = h.gateway.app
      .printRoutes({ commonPrefix: false, includeMeta: false })
      .split('\n')
      .filter(Boolean).length;
    expect(served).toBeGreaterThan(0);
    const expected = [
      ...['show_message', 'show_message_error', 'show_notification', 'add_error', 'add_call', 'add_event', 'batch'].map(
        (m) => `POST /api/v1/notifications/${m}`,
      ),
      'GET /api/v1/me/notifications',
      'POST /api/v1/me/notifications/{id}/read',
      'POST /api/v1/me/notifications/read_all',
      'GET /api/v1/me/notifications/unread_count',
      'GET /api/v1/me/settings',
      'PATCH /api/v1/me/settings',
      'GET /api/v1/me/providers',
      'POST /api/v1/me/notifications/show_message',
      'POST /api/v1/me/notifications/show_message_error',
      'POST /api/v1/me/notifications/show_notification',
      'POST /api/v1/me/notifications/add_error',
      'POST /api/v1/me/notifications/add_call',
      'GET /api/v1/me/notifications/{id}/deliveries',
      'POST /api/v1/me/push/devices',
      'GET /api/v1/me/push/devices',
      'DELETE /api/v1/me/push/devices/{device}',
      'GET /api/v1/me/push/vapid-public-key',
      'POST /api/v1/me/push/subscriptions',
      'GET /api/v1/me/push/subscriptions',
      'DELETE /api/v1/me/push/subscriptions/{id}',
      'PUT /api/v1/admin/accounts/{account}',
      'PUT /api/v1/admin/accounts/{account}/users/{user}',
      'GET /api/v1/admin/accounts/{account}/users/{user}',
      'GET /api/v1/admin/accounts/{account}/users',
      'PUT /api/v1/admin/accounts/{account}/providers/{provider}',
      'POST /api/v1/admin/accounts/{account}/api_keys',
      'GET /api/v1/admin/accounts/{account}/api_keys',
      'DELETE /api/v1/admin/accounts/{account}/api_keys/{key_id}',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ];
    expect(documented.sort()).toEqual(expect.arrayContaining(expected));
    const docs = await h.request({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers an unknown route with the error shape', async () => {
    const missing = await h.request({ method: 'GET', url: '/api/v1/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).code).toBe('NOT_FOUND');
  });

  it('counts requests by route and status for Prometheus', async () => {
    await h.request({ method: 'POST', url: '/api/v1/notifications/add_error', body: { text: 'x' } });
    const metrics = await h.request({ method: 'GET', url: '/metrics' });
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.body).toMatch(
      /herald_http_requests_total\{method="POST",route="\/api\/v1\/notifications\/add_error",status="401"\} [1-9]/,
    );
    expect(metrics.body).toContain('herald_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('herald_live_connections');
  });

  it('is ready while its peers and NATS answer, and says which one does not', async () => {
    expect((await h.request({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
      checks: { ingest: true, preferences: true, interface: true, nats: true },
    });
    // A gateway whose interface is nowhere: not ready, still alive, and a call that needs it is a 503.
    const astray = await h.another({ INTERFACE_ADDR: `127.0.0.1:${await freePort()}`, RPC_DEADLINE_MS: '1000' });
    const down = await astray.request({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not ready', checks: { interface: false, ingest: true } });
    expect((await astray.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const secret = (await h.seed(uniqueName('acct'), ['u1'])).secret;
    void secret;
  });
});
