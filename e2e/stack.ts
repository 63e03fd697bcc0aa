import type { Bus } from '@herald/bus';
import {
  Channel,
  DirectoryClient,
  InboxClient,
  NotificationIngestClient,
  PreferencesClient,
  type User,
} from '@herald/contracts';
import { loadInterfaceConfig, startInterface, type RunningInterface } from '@herald/interface';
import { loadPreferencesConfig, startPreferences, type RunningPreferences } from '@herald/preferences';
import { callUnary, clientOptions, type UnaryMethod } from '@herald/rpc';
import { dropSchemas, isolatedBus, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadIngestConfig, startIngest, type RunningIngest } from '@herald/ingest';

/** The whole flow in this process: preferences, interface and ingest in a namespace and schemas of their own. */
export interface Stack {
  namespace: string;
  bus: Bus;
  ingest: NotificationIngestClient;
  inbox: InboxClient;
  directory: DirectoryClient;
  preferences: PreferencesClient;
  ingestService: RunningIngest;
  interfaceService: RunningInterface;
  preferencesService: RunningPreferences;
  /** Calls a unary method of one of the clients above, with a deadline. */
  call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, bearer?: string): Promise<Res>;
  /** An account with users and an integration; returns the integration's API key. */
  seedAccount(
    accountId: string,
    userIds: readonly string[],
  ): Promise<{ apiKey: string; keyId: string; providerId: string }>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const { bus, namespace, cleanup } = await isolatedBus('stack-test');
  const prefsSchema = uniqueName('prefs_');
  const inboxSchema = uniqueName('inbox_');
  const logger = testLogger();
  const common = {
    NATS_URL: testEnv.natsUrl,
    DATABASE_URL: testEnv.databaseUrl,
    HERALD_NAMESPACE: namespace,
    GRPC_PORT: 0,
    METRICS_PORT: 0,
    LOG_LEVEL: 'silent' as const,
  };
  const preferencesService = await startPreferences(
    { ...loadPreferencesConfig({}), ...common, DB_SCHEMA: prefsSchema, HERALD_DEV_MODE: true },
    logger,
  );
  const interfaceService = await startInterface(
    { ...loadInterfaceConfig({}), ...common, DB_SCHEMA: inboxSchema, INBOX_RETRY_BASE_MS: 50 },
    logger,
  );
  const ingestService = await startIngest(
    { ...loadIngestConfig({}), ...common, PREFERENCES_ADDR: `127.0.0.1:${preferencesService.port}` },
    logger,
  );
  const address = (port: number) => `127.0.0.1:${port}`;
  const ingest = new NotificationIngestClient(address(ingestService.port), ...clientOptions());
  const inbox = new InboxClient(address(interfaceService.port), ...clientOptions());
  const directory = new DirectoryClient(address(preferencesService.port), ...clientOptions());
  const preferences = new PreferencesClient(address(preferencesService.port), ...clientOptions());

  const call: Stack['call'] = (method, request, bearer) =>
    callUnary(method, request, bearer ? { deadlineMs: 10_000, bearer } : { deadlineMs: 10_000 });

  return {
    namespace,
    bus,
    ingest,
    inbox,
    directory,
    preferences,
    ingestService,
    interfaceService,
    preferencesService,
    call,
    async seedAccount(accountId, userIds) {
      await call(directory.upsertAccount.bind(directory), { id: accountId, name: `Account ${accountId}` });
      for (const id of userIds) {
        const user: User = {
          accountId,
          id,
          email: `${id}@example.com`,
          displayName: id,
          timezone: 'Europe/Madrid',
          locale: 'en',
          telegramChatId: '',
        };
        await call(directory.upsertUser.bind(directory), { user });
      }
      const provider = await call(directory.registerProvider.bind(directory), {
        accountId,
        name: 'Telephony',
        iconUrl: 'https://telephony.example/icon.png',
        defaultChannels: [Channel.CHANNEL_EMAIL],
      });
      const key = await call(directory.issueApiKey.bind(directory), {
        accountId,
        providerId: provider.id,
        name: 'test',
      });
      return { apiKey: key.apiKey, keyId: key.keyId, providerId: provider.id };
    },
    async stop() {
      for (const client of [ingest, inbox, directory, preferences]) client.close();
      await ingestService.stop();
      await interfaceService.stop();
      await preferencesService.stop();
      await cleanup();
      await dropSchemas(prefsSchema, inboxSchema);
    },
  };
}
