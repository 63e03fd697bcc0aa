import { testLogger } from '@herald/testing';
import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/index.js';
import { startStack, type Stack } from '../../../e2e/stack.js';

export const adminToken = 'admin-token-for-specs';

/** An HTTP answer, read whole. */
export interface Answer {
  statusCode: number;
  headers: Headers;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** Sent as `Authorization: Bearer <bearer>`. */
  bearer?: string | undefined;
  /** JSON-encoded unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A gateway over real HTTP. */
export interface Client {
  gateway: RunningGateway;
  request(options: RequestOptions): Promise<Answer>;
}

/** The real stack (preferences, interface, ingest) with a gateway in front of it, in this process. */
export interface Harness extends Client {
  stack: Stack;
  /** Another gateway on the same stack, configured otherwise (stopped with the harness). */
  another(env: Record<string, string>): Promise<Client>;
  /** An account with a signing secret, users, an integration and its key, made through the admin routes. */
  seed(account: string, users: readonly string[]): Promise<{ apiKey: string; keyId: string; secret: string }>;
  stop(): Promise<void>;
}

async function gatewayOn(stack: Stack, env: Record<string, string>): Promise<Client> {
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
  );
  const base = `http://127.0.0.1:${gateway.port}`;
  return {
    gateway,
    async request({ method, url, bearer, body, headers = {} }) {
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
    },
  };
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const stack = await startStack();
  const gateways: Client[] = [];
  try {
    gateways.push(await gatewayOn(stack, env));
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const [main] = gateways as [Client];
  const request = main.request;
  return {
    stack,
    gateway: main.gateway,
    request,
    async another(more) {
      const client = await gatewayOn(stack, { ...env, ...more });
      gateways.push(client);
      return client;
    },
    async seed(account, users) {
      const secret = `secret-of-${account}-`.padEnd(40, 'x');
      const admin = async (method: 'PUT' | 'POST', url: string, body: unknown) => {
        const answer = await request({
          method,
          url: `/api/v1/admin/accounts/${account}${url}`,
          bearer: adminToken,
          body,
        });
        if (answer.statusCode >= 300) throw new Error(`${method} ${url}: ${answer.statusCode} ${answer.body}`);
        return answer;
      };
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
      for (const client of gateways) await client.gateway.stop();
      await stack.stop();
    },
  };
}
