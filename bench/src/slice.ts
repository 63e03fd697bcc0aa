import type { ChildProcess } from 'node:child_process';
import type { Bus } from '@herald/bus';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DirectoryClient, NotificationIngestClient } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import {
  dropSchemas,
  eventually,
  exitOf,
  freePort,
  isolatedBus,
  startServiceProcess,
  uniqueName,
} from '@herald/testing';

/** The account every benchmark seeds. */
export const benchAccount = 'bench';

/**
 * Ingest, preferences and interface, each as its own process (their built
 * dist/main.js, as `npm start` runs them), in a namespace and schemas of their
 * own, with one account, its users and an integration's API key.
 */
export interface Slice {
  namespace: string;
  /** A connection of the benchmark's own in that namespace. */
  bus: Bus;
  /** host:port of each service. */
  addresses: { ingest: string; preferences: string; interface: string };
  schemas: { prefs: string; inbox: string };
  children: { ingest: ChildProcess; preferences: ChildProcess; interface: ChildProcess };
  /** The integration's API key. */
  apiKey: string;
  /** The account's secret for its people's tokens. */
  signingSecret: string;
  /** Sends an add_error to one user, as the integration. */
  addError(text: string, user: string): Promise<unknown>;
  /** The ingest client, for calls of other shapes (Batch). */
  ingest: NotificationIngestClient;
  stop(): Promise<void>;
}

const deadline = { deadlineMs: 30_000 };

/**
 * Node's flags for a service: BENCH_PROFILE=<service,…> writes a CPU profile to
 * BENCH_PROFILE_DIR (/tmp/prof), BENCH_NODE_ARGS (e.g. `--trace-gc`) goes to every one.
 */
export function benchNodeArgs(service: string): string[] {
  const profile = (process.env['BENCH_PROFILE'] ?? '').split(',').includes(service)
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE_DIR'] ?? '/tmp/prof'}`]
    : [];
  return [...profile, ...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];
}

/** A built service as its own process, with its benchNodeArgs. */
function start(service: string, env: Record<string, string>): ChildProcess {
  return startServiceProcess(service, { env, nodeArgs: benchNodeArgs(service), stderr: 'inherit' });
}

export interface SliceOptions {
  /** The inbox's schema: one kept between runs (e.g. loaded with 10 million items), dropped at the end otherwise. */
  inboxSchema?: string;
  /** More environment for one service. */
  env?: Partial<Record<'ingest' | 'preferences' | 'interface', Record<string, string>>>;
}

export async function startSlice(users: readonly string[], options: SliceOptions = {}): Promise<Slice> {
  const [ingestPort, prefsPort, interfacePort] = [await freePort(), await freePort(), await freePort()];
  const addresses = {
    ingest: `127.0.0.1:${ingestPort}`,
    preferences: `127.0.0.1:${prefsPort}`,
    interface: `127.0.0.1:${interfacePort}`,
  };
  const { bus, namespace, cleanup } = await isolatedBus('bench');
  const schemas = { prefs: uniqueName('bench_prefs_'), inbox: options.inboxSchema ?? uniqueName('bench_inbox_') };
  const extra = options.env ?? {};
  const signingSecret = randomBytes(32).toString('base64url');
  // Dev mode opens the admin calls the set-up makes; a bench never runs beside real data.
  const common = { HERALD_NAMESPACE: namespace, METRICS_PORT: '0', HERALD_DEV_MODE: 'true' };
  const children = {
    preferences: start('preferences', {
      ...common,
      GRPC_PORT: String(prefsPort),
      DB_SCHEMA: schemas.prefs,
      ...extra.preferences,
    }),
    interface: start('interface', {
      ...common,
      GRPC_PORT: String(interfacePort),
      DB_SCHEMA: schemas.inbox,
      ...extra.interface,
    }),
    ingest: start('ingest', {
      ...common,
      GRPC_PORT: String(ingestPort),
      PREFERENCES_ADDR: addresses.preferences,
      ...extra.ingest,
    }),
  };
  const directory = new DirectoryClient(addresses.preferences, ...clientOptions());
  const ingest = new NotificationIngestClient(addresses.ingest, ...clientOptions());
  const stop = async () => {
    directory.close();
    ingest.close();
    for (const child of Object.values(children)) child.kill('SIGTERM');
    await Promise.all(Object.values(children).map(exitOf));
    await dropSchemas(schemas.prefs, ...(options.inboxSchema ? [] : [schemas.inbox]));
    await cleanup();
  };
  try {
    await eventually(
      () =>
        callUnary(
          directory.upsertAccount.bind(directory),
          { id: benchAccount, name: 'Bench', signingSecret },
          deadline,
        ),
      180_000,
      200,
    );
    await inParallel(users, 32, (id) =>
      callUnary(
        directory.upsertUser.bind(directory),
        {
          user: {
            accountId: benchAccount,
            id,
            email: `${id}@example.com`,
            displayName: id,
            timezone: 'UTC',
            locale: 'en',
            telegramChatId: '',
          },
        },
        deadline,
      ),
    );
    const provider = await callUnary(
      directory.registerProvider.bind(directory),
      { accountId: benchAccount, name: 'Bench', iconUrl: '', defaultChannels: [] },
      deadline,
    );
    const { apiKey } = await callUnary(
      directory.issueApiKey.bind(directory),
      { accountId: benchAccount, providerId: provider.id, name: 'bench' },
      deadline,
    );
    const addError = (text: string, user: string) =>
      callUnary(ingest.addError.bind(ingest), { text, recipients: [user] }, { ...deadline, bearer: apiKey });
    await eventually(() => addError('warm-up', users[0] ?? 'u0'), 180_000, 200);
    return { namespace, bus, addresses, schemas, children, apiKey, signingSecret, addError, ingest, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs `task` over every value, at most `concurrency` at once. */
export async function inParallel<T>(
  values: readonly T[],
  concurrency: number,
  task: (value: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < values.length) await task(values[next++]!);
    }),
  );
}

/** Resident memory of a process, in KiB. */
export function rssKiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** Clock ticks per second of /proc's times: USER_HZ, 100 on Linux. */
const clockTicks = 100;

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}
