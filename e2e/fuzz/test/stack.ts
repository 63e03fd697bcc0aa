import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { InboxClient, NotificationIngestClient, type IssueApiKeyReply } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import {
  dropSchemas,
  eventually,
  exitOf,
  freePort,
  isolatedBus,
  seedAccount,
  startServiceProcess,
  uniqueName,
  untilServing,
} from '@herald/testing';

export type ServiceName = 'preferences' | 'interface' | 'ingest';

/** What the seeded account holds: real ids the properties use to reach past the first checks. */
export interface Seeded {
  accountId: string;
  users: string[];
  apiKey: string;
  providerId: string;
  /** A key of its own, for RevokeApiKey to aim at: the one above stays valid. */
  spareKeyId: string;
  notificationIds: string[];
  /** next_cursor of a first page of the inbox. */
  cursor: string;
}

/** The built services as processes, in a NATS namespace and PostgreSQL schemas of their own. */
export interface FuzzStack {
  adminToken: string;
  seeded: Seeded;
  address(service: ServiceName): string;
  /** Every service still running and answering its health check. */
  healthy(service: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export async function startFuzzStack(): Promise<FuzzStack> {
  const { namespace, cleanup } = await isolatedBus('fuzz');
  const schemas = { preferences: uniqueName('fuzz_prefs_'), interface: uniqueName('fuzz_inbox_') };
  const ports: Record<ServiceName, number> = {
    preferences: await freePort(),
    interface: await freePort(),
    ingest: await freePort(),
  };
  const address = (service: ServiceName) => `127.0.0.1:${ports[service]}`;
  const adminToken = randomBytes(16).toString('hex');
  const env: Record<ServiceName, Record<string, string>> = {
    preferences: { DB_SCHEMA: schemas.preferences, ADMIN_TOKEN: adminToken },
    interface: { DB_SCHEMA: schemas.interface },
    ingest: { PREFERENCES_ADDR: address('preferences') },
  };
  const children = new Map<ServiceName, ChildProcess>();
  const stderr = new Map<ServiceName, string>();
  for (const service of ['preferences', 'interface', 'ingest'] as const) {
    const child = startServiceProcess(service, {
      env: { ...env[service], HERALD_NAMESPACE: namespace, GRPC_PORT: String(ports[service]), METRICS_PORT: '0' },
    });
    child.stderr?.on('data', (chunk: string) =>
      stderr.set(service, ((stderr.get(service) ?? '') + chunk).slice(-4_000)),
    );
    children.set(service, child);
  }
  const stop = async (): Promise<void> => {
    for (const child of children.values()) child.kill('SIGTERM');
    await Promise.all([...children.values()].map(exitOf));
    await cleanup();
    await dropSchemas(schemas.preferences, schemas.interface);
  };
  try {
    for (const service of children.keys()) {
      await untilServing(address(service), 60_000).catch((err: unknown) => {
        throw new Error(`${service} did not start: ${stderr.get(service) ?? ''}`, { cause: err });
      });
    }
    const seeded = await seed(address, adminToken);
    return {
      adminToken,
      seeded,
      address,
      async healthy(service) {
        const child = children.get(service)!;
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${service} exited (${child.exitCode ?? child.signalCode}): ${stderr.get(service) ?? ''}`);
        }
        await untilServing(address(service), 10_000);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function seed(address: (service: ServiceName) => string, adminToken: string): Promise<Seeded> {
  const accountId = 'acme';
  const users = ['u1', 'u2'];
  const { providerId, keys } = await seedAccount(address('preferences'), {
    accountId,
    userIds: users,
    adminToken,
    keys: 2,
  });
  const [{ apiKey }, spare] = keys as [IssueApiKeyReply, IssueApiKeyReply];
  const ingest = new NotificationIngestClient(address('ingest'), ...clientOptions());
  const inbox = new InboxClient(address('interface'), ...clientOptions());
  try {
    for (let i = 0; i < 3; i++) {
      await callUnary(
        ingest.addError.bind(ingest),
        { text: `seeded ${i}`, recipients: ['u1'] },
        { deadlineMs: 10_000, bearer: apiKey },
      );
    }
    const list = (pageSize: number) =>
      callUnary(
        inbox.list.bind(inbox),
        { accountId, userId: 'u1', order: 'INBOX_ORDER_UNSPECIFIED', pageSize, cursor: '' },
        { deadlineMs: 10_000 },
      );
    const page = await eventually(async () => {
      const reply = await list(1);
      if (!reply.nextCursor) throw new Error('the seeded notifications are not in the inbox yet');
      return reply;
    }, 30_000);
    const all = await list(50);
    return {
      accountId,
      users,
      apiKey,
      providerId,
      spareKeyId: spare.keyId,
      notificationIds: all.items.map((item) => item.notification?.id ?? ''),
      cursor: page.nextCursor,
    };
  } finally {
    ingest.close();
    inbox.close();
  }
}
