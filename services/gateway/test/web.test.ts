import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueName } from '@herald/testing';
import { startHarness, type Client, type Harness } from './harness.js';

describe('the web app, its CORS and the profile route', () => {
  let h: Harness;
  let production: Client;
  let token: string;
  const account = uniqueName('webgw');

  beforeAll(async () => {
    h = await startHarness({ HERALD_DEV_MODE: 'true' });
    production = await h.another({ HERALD_DEV_MODE: 'false', CORS_ORIGINS: 'https://crm.example.com' });
    await h.seed(account, ['alice']);
    token = (await h.request({ method: 'POST', url: '/dev/sign-in', body: { account, user: 'alice' } })).json<{
      token: string;
    }>().token;
  });
  afterAll(() => h.stop());

  it('serves the full page at / and the embeddable script', async () => {
    for (const url of ['/', '/notifications', '/notifications/settings']) {
      const page = await h.request({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.body).toContain('<script src="/embed.js"></script>');
      expect(page.body).toContain('<herald-app>');
    }
    const script = await h.request({ method: 'GET', url: '/embed.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.body).toContain('herald-notification-center');
    const worker = await h.request({ method: 'GET', url: '/sw.js' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers.get('content-type')).toMatch(/javascript/);
    expect(worker.headers.get('service-worker-allowed')).toBe('/');
  });

  it('serves the demo in dev mode only', async () => {
    expect((await h.request({ method: 'GET', url: '/demo' })).body).toContain('<herald-demo');
    expect((await production.request({ method: 'GET', url: '/demo' })).statusCode).toBe(404);
    expect((await production.request({ method: 'GET', url: '/embed.js' })).statusCode).toBe(200);
  });

  it('lets the configured origins call the person routes, and only those routes', async () => {
    const preflight = (client: Client, url: string, origin: string) =>
      client.request({
        method: 'OPTIONS' as 'GET',
        url,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight(production, '/api/v1/me/notifications/read_all', 'https://crm.example.com');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://crm.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const stranger = await preflight(production, '/api/v1/me/notifications/read_all', 'https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const admin = await preflight(h, `/api/v1/admin/accounts/${account}`, 'https://crm.example.com');
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
    const any = await preflight(h, '/api/v1/me/settings', 'https://anywhere.example');
    expect(any.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('reads and changes my time zone and language, refusing a bad one by its field', async () => {
    const profile = await h.request({ method: 'GET', url: '/api/v1/me/profile', bearer: token });
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({ account, user: 'alice', timezone: 'Europe/Madrid', locale: 'en' });

    const changed = await h.request({
      method: 'PATCH',
      url: '/api/v1/me/profile',
      bearer: token,
      body: { timezone: 'America/New_York', locale: 'ru' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ timezone: 'America/New_York', locale: 'ru' });
    const users = await h.request({
      method: 'GET',
      url: `/api/v1/admin/accounts/${account}/users`,
      bearer: 'admin-token-for-specs',
    });
    expect(users.body).toContain('America/New_York');

    for (const [body, field] of [
      [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ locale: 'not a locale!' }, 'locale'],
      [{ email: 'x@example.com' }, 'email'],
    ] as const) {
      const refused = await h.request({ method: 'PATCH', url: '/api/v1/me/profile', bearer: token, body });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ error: { field: string } }>().error.field).toBe(field);
    }
    expect((await h.request({ method: 'GET', url: '/api/v1/me/profile' })).statusCode).toBe(401);
  });
});
