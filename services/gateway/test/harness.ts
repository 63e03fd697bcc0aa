import { testLogger } from '@herald/testing';
import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/index.js';
import { startStack, type Stack } from '../../ingest/test/stack.js';

export const adminToken = 'admin-token-for-specs';

/** An HTTP answer, read whole. */
export interface Answer {
  statusCode: number;
  headers: Headers;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** The real stack (preferences, interface, ingest) with a gateway in front of it, in this process. */
export interface Harness {
  stack: Stack;
  gateway: RunningGateway;
  /** A request through the gateway; `bearer` becomes the Authorization header. */
  request(options: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    bearer?: string | undefined;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<Answer>;
  /** An account with a signing secret, users, an integration and its key, made through the admin routes. */
  seed(account: string, users: readonly string[]): Promise<{ apiKey: string; keyId: string; secret: string }>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const stack = await startStack();
  const address = (port: number) => `127.0.0.1:${port}`;
  const gateway = await startGateway(
    loadGatewayConfig({
      NATS_URL: process.env['NATS_URL'],
      HERALD_NAMESPACE: stack.namespace,
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      INGEST_ADDR: address(stack.ingestService.port),
      PREFERENCES_ADDR: address(stack.preferencesService.port),
      INTERFACE_ADDR: address(stack.interfaceService.port),
      ADMIN_TOKEN: adminToken,
      ...env,
    }),
    testLogger(),
  ).catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  const base = `http://127.0.0.1:${gateway.port}`;
  const request: Harness['request'] = async ({ method, url, bearer, body, headers = {} }) => {
    const response = await fetch(base + url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      statusCode: response.status,
      headers: response.headers,
      body: text,
      json: <T>() => JSON.parse(text) as T,
    };
  };
  return {
    stack,
    gateway,
    request,
    async seed(account, users) {
      const secret = `secret-of-${account}-`.padEnd(40, 'x');
      const admin = (method: 'PUT' | 'POST', url: string, body: unknown) =>
        request({ method, url: `/api/v1/admin/accounts/${account}${url}`, bearer: adminToken, body });
      await admin('PUT', '', { name: `Account ${account}`, signing_secret: secret });
      for (const user of users) {
        await admin('PUT', `/users/${user}`, { email: `${user}@example.com`, timezone: 'Europe/Madrid' });
      }
      const provider = (await admin('PUT', '/providers/telephony', { name: 'Telephony' })).json<{ id: string }>();
      const key = (await admin('POST', '/api_keys', { provider_id: provider.id })).json<{
        key_id: string;
        api_key: string;
      }>();
      return { apiKey: key.api_key, keyId: key.key_id, secret };
    },
    async stop() {
      await gateway.stop();
      await stack.stop();
    },
  };
}
