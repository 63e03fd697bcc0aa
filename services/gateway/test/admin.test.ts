import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueName } from '@herald/testing';
import { adminToken, startHarness, type Answer, type Client, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

describe('the admin routes', () => {
  let h: Harness;
  let closed: Client;
  let dev: Client;
  const account = uniqueName('acct');

  beforeAll(async () => {
    h = await startHarness();
    closed = await h.another({ ADMIN_TOKEN: '' });
    dev = await h.another({ ADMIN_TOKEN: '', HERALD_DEV_MODE: 'true' });
  });
  afterAll(() => h.stop());

  const admin = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, body?: unknown, bearer = adminToken) =>
    h.request({ method, url: `/api/v1/admin/accounts/${account}${url}`, bearer, body });

  it('manages an account, its users, an integration and its keys', async () => {
    const created = await admin('PUT', '', { name: 'Acme', signing_secret: 's'.repeat(32) });
    expect(created.json()).toEqual({ id: account, name: 'Acme', has_signing_secret: true, has_public_jwk: false });
    // A rename keeps the secret.
    expect((await admin('PUT', '', { name: 'Acme Inc' })).json()).toMatchObject({ has_signing_secret: true });

    const user = await admin('PUT', '/users/alice', { email: 'alice@example.com', timezone: 'Europe/Madrid' });
    expect(user.json()).toMatchObject({ account, id: 'alice', timezone: 'Europe/Madrid', locale: 'en' });
    expect((await admin('GET', '/users/alice')).json()).toMatchObject({ email: 'alice@example.com' });
    expect((await admin('GET', '/users')).json<{ users: unknown[] }>().users).toHaveLength(1);
    expect((await admin('GET', '/users/bob')).statusCode).toBe(404);

    const provider = (await admin('PUT', '/providers/dialer', { name: 'Dialer', default_channels: ['email'] })).json();
    expect(provider).toEqual({
      id: `${account}.dialer`,
      name: 'Dialer',
      icon_url: '',
      default_channels: ['interface', 'email'],
    });
    // PUT again updates the same integration.
    expect((await admin('PUT', '/providers/dialer', { name: 'Dialer 2' })).json()).toMatchObject({
      id: `${account}.dialer`,
      name: 'Dialer 2',
    });

    const issued = await admin('POST', '/api_keys', { provider_id: `${account}.dialer`, name: 'prod' });
    expect(issued.statusCode).toBe(201);
    const { key_id, api_key } = issued.json<{ key_id: string; api_key: string }>();
    const send = () =>
      h.request({
        method: 'POST',
        url: '/api/v1/notifications/add_error',
        bearer: api_key,
        body: { text: 'Hi', users: ['alice'] },
      });
    expect((await send()).statusCode).toBe(202);
    const keys = (await admin('GET', '/api_keys')).json<{ keys: Record<string, unknown>[] }>().keys;
    expect(keys).toEqual([{ key_id, provider_id: `${account}.dialer`, name: 'prod', created_at: expect.any(String) }]);
    expect(JSON.stringify(keys)).not.toContain(api_key.split('_').at(-1));

    expect((await admin('DELETE', `/api_keys/${key_id}`)).statusCode).toBe(204);
    expect((await send()).statusCode).toBe(401);
    expect((await admin('GET', '/api_keys')).json<{ keys: Record<string, unknown>[] }>().keys[0]).toHaveProperty(
      'revoked_at',
    );
    expect((await admin('DELETE', '/api_keys/no-such-key')).statusCode).toBe(404);
  });

  it('names the bad field, and the missing account', async () => {
    expect(errorOf(await admin('PUT', '', { name: 'Acme', signing_secret: 'short' })).field).toBe('signing_secret');
    expect(errorOf(await admin('PUT', '/users/carol', { email: 'not-an-email', timezone: 'UTC' })).field).toBe('email');
    expect(
      errorOf(await admin('PUT', '/users/carol', { email: 'c@example.com', timezone: 'Mars/Olympus' })).field,
    ).toBe('timezone');
    expect(errorOf(await admin('PUT', '/users/carol', { email: 'c@example.com' })).field).toBe('timezone');
    const missing = await h.request({
      method: 'GET',
      url: `/api/v1/admin/accounts/${uniqueName('none')}/users`,
      bearer: adminToken,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses without the admin token, with a wrong one, and fails closed when none is configured', async () => {
    const other = uniqueName('acct');
    const put = (client: Pick<Client, 'request'>, bearer?: string) =>
      client.request({ method: 'PUT', url: `/api/v1/admin/accounts/${other}`, bearer, body: { name: 'Evil' } });
    expect((await put(h)).statusCode).toBe(401);
    expect((await put(h, 'wrong')).statusCode).toBe(401);
    expect((await put(h, 'hk_some-api-key')).statusCode).toBe(401);
    const refused = await put(closed, 'anything');
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('PERMISSION_DENIED');
    expect(
      (await h.request({ method: 'GET', url: `/api/v1/admin/accounts/${other}/users`, bearer: adminToken })).statusCode,
    ).toBe(404);
  });

  it('opens in dev mode, with a sign-in whose token the person routes take', async () => {
    const demo = uniqueName('demo');
    const open = await dev.request({
      method: 'PUT',
      url: `/api/v1/admin/accounts/${demo}`,
      body: { name: 'Demo', signing_secret: 'd'.repeat(40) },
    });
    expect(open.statusCode).toBe(200);
    await dev.request({
      method: 'PUT',
      url: `/api/v1/admin/accounts/${demo}/users/alice`,
      body: { email: 'a@example.com', timezone: 'UTC' },
    });
    const signIn = await dev.request({ method: 'POST', url: '/dev/sign-in', body: { account: demo, user: 'alice' } });
    const { token } = signIn.json<{ token: string }>();
    expect(
      (await h.request({ method: 'GET', url: '/api/v1/me/notifications/unread_count', bearer: token })).json(),
    ).toEqual({ unread_count: 0 });

    const noSecret = uniqueName('plain');
    await dev.request({ method: 'PUT', url: `/api/v1/admin/accounts/${noSecret}`, body: { name: 'Plain' } });
    const refused = await dev.request({
      method: 'POST',
      url: '/dev/sign-in',
      body: { account: noSecret, user: 'alice' },
    });
    expect(refused.statusCode).toBe(409);
  });
});
