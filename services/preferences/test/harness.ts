import { expect } from '@jest/globals';
import type { Bus } from '@herald/bus';
import type { Logger } from '@herald/telemetry';
import {
  Delivery,
  DirectoryClient,
  Notification,
  PreferencesClient,
  topics,
  type Settings,
  type UpdateSettingsRequest,
  type User,
} from '@herald/contracts';
import { callUnary, clientOptions, type CallSettings } from '@herald/rpc';
import { dropSchemas, eventually, isolatedBus, testEnv, testLogger, uniqueName } from '@herald/testing';
import {
  loadPreferencesConfig,
  routerDurable,
  startPreferences,
  type PreferencesConfig,
  type RunningPreferences,
} from '../src/index.js';

/** A running service in a namespace and schema of its own, with clients and a bus to talk to it. */
export interface Harness {
  readonly config: PreferencesConfig;
  readonly service: RunningPreferences;
  readonly bus: Bus;
  readonly directory: DirectoryClient;
  readonly preferences: PreferencesClient;
  /** Call settings with the admin token, when the service has one. */
  readonly admin: CallSettings;
  /** Call settings without credentials. */
  readonly plain: CallSettings;
  stop(): Promise<void>;
}

export const adminToken = 'test-admin-token';

export async function startHarness(
  overrides: Partial<PreferencesConfig> = {},
  logger: Logger = testLogger(),
): Promise<Harness> {
  const { bus, namespace, cleanup } = await isolatedBus('preferences-test');
  const config: PreferencesConfig = {
    ...loadPreferencesConfig({}),
    NATS_URL: testEnv.natsUrl,
    DATABASE_URL: testEnv.databaseUrl,
    HERALD_NAMESPACE: namespace,
    DB_SCHEMA: uniqueName('prefs'),
    GRPC_PORT: 0,
    METRICS_PORT: 0,
    ADMIN_TOKEN: adminToken,
    ROUTER_RETRY_BASE_MS: 100,
    ...overrides,
  };
  let service: RunningPreferences;
  try {
    service = await startPreferences(config, logger);
  } catch (err) {
    await cleanup();
    await dropSchemas(config.DB_SCHEMA);
    throw err;
  }
  const address = `127.0.0.1:${service.port}`;
  const directory = new DirectoryClient(address, ...clientOptions());
  const preferences = new PreferencesClient(address, ...clientOptions());
  return {
    config,
    service,
    bus,
    directory,
    preferences,
    admin: config.ADMIN_TOKEN ? { deadlineMs: 10_000, bearer: config.ADMIN_TOKEN } : { deadlineMs: 10_000 },
    plain: { deadlineMs: 10_000 },
    async stop() {
      directory.close();
      preferences.close();
      await service.stop();
      await cleanup();
      await dropSchemas(config.DB_SCHEMA);
    },
  };
}

/** Another replica of the service on the same database schema and NATS namespace. */
export async function startReplica(
  h: Harness,
  overrides: Partial<PreferencesConfig> = {},
): Promise<RunningPreferences> {
  return startPreferences({ ...h.config, GRPC_PORT: 0, METRICS_PORT: 0, ...overrides }, testLogger());
}

export async function createAccount(h: Harness, name = 'Acme'): Promise<string> {
  const id = uniqueName('acct');
  await callUnary(h.directory.upsertAccount.bind(h.directory), { id, name }, h.admin);
  return id;
}

export async function createUser(h: Harness, accountId: string, id: string, fields: Partial<User> = {}): Promise<User> {
  return callUnary(
    h.directory.upsertUser.bind(h.directory),
    {
      user: {
        accountId,
        id,
        email: `${id}@example.com`,
        displayName: `User ${id}`,
        timezone: 'Europe/Madrid',
        locale: 'en',
        telegramChatId: '',
        ...fields,
      },
    },
    h.admin,
  );
}

export function getSettings(h: Harness, accountId: string, userId: string): Promise<Settings> {
  return callUnary(h.preferences.getSettings.bind(h.preferences), { accountId, userId }, h.plain);
}

export function updateSettings(
  h: Harness,
  request: Partial<UpdateSettingsRequest> & { accountId: string; userId: string },
): Promise<Settings> {
  return callUnary(h.preferences.updateSettings.bind(h.preferences), { providers: [], ...request }, h.plain);
}

/** Publishes a notification as ingest does; its id doubles as the msgID unless one is given. */
export async function ingest(h: Harness, notification: Partial<Notification>, msgID?: string): Promise<Notification> {
  const full = Notification.fromPartial({ id: uniqueName('n'), ingestedAt: new Date(), ...notification });
  await h.bus.publish(topics.notificationIngested, [full.accountId], full, { msgID: msgID ?? full.id });
  return full;
}

/** Resolves once the router acked every notification published so far. */
export async function routed(h: Harness): Promise<void> {
  const stream = h.bus.streamName('NOTIFICATIONS');
  await eventually(async () => {
    const { state } = await h.bus.jsm.streams.info(stream);
    const consumer = await h.bus.jsm.consumers.info(stream, routerDurable);
    expect(consumer.ack_floor.stream_seq).toBe(state.last_seq);
    expect(consumer.num_ack_pending).toBe(0);
  });
}

export interface StoredDelivery {
  readonly subject: string;
  readonly delivery: Delivery;
}

/** Every delivery of a notification stored in the DELIVERIES stream, in order. */
export async function deliveriesOf(h: Harness, notificationId: string): Promise<StoredDelivery[]> {
  const stream = h.bus.streamName('DELIVERIES');
  const { state } = await h.bus.jsm.streams.info(stream);
  const found: StoredDelivery[] = [];
  if (state.messages === 0) return found;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const message = await h.bus.jsm.streams.getMessage(stream, { seq });
    if (!message) continue;
    const delivery = Delivery.decode(message.data);
    if (delivery.notification?.id === notificationId) {
      found.push({ subject: h.bus.unprefixed(message.subject), delivery });
    }
  }
  return found;
}

/** "user:channel" for each delivery, sorted: what a routing test compares. */
export function routes(deliveries: readonly StoredDelivery[]): string[] {
  return deliveries.map(({ subject, delivery }) => `${delivery.recipient?.userId}:${subject.split('.')[1]}`).sort();
}
