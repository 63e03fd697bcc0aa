import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { Bus } from '@herald/bus';
import { createLogger, initTracing, type Logger } from '@herald/telemetry';

/** Where the real services of this machine are; the same variables the services read. */
export const testEnv = {
  natsUrl: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
  databaseUrl: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
} as const;

/** A name no other test uses: a NATS namespace, a schema, a user id. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export function testLogger(): Logger {
  return createLogger('test', (process.env['TEST_LOG_LEVEL'] as 'info' | undefined) ?? 'silent');
}

/** A bus in a namespace of its own; `cleanup` deletes the namespace's streams. */
export async function isolatedBus(name = 'test'): Promise<{ bus: Bus; namespace: string; cleanup(): Promise<void> }> {
  const namespace = uniqueName('ns');
  const bus = await Bus.connect({ url: testEnv.natsUrl, namespace, name, logger: testLogger() });
  return {
    bus,
    namespace,
    async cleanup() {
      await deleteStreams(bus);
      await bus.close();
    },
  };
}

/** Deletes every stream of the bus's namespace. */
export async function deleteStreams(bus: Bus): Promise<void> {
  if (!bus.namespace) throw new Error('refusing to delete the streams of the default namespace');
  const names = await bus.jsm.streams.names().next();
  await Promise.all(names.filter((n) => n.startsWith(`${bus.namespace}_`)).map((n) => bus.jsm.streams.delete(n)));
}

/** Drops a schema a test created. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: testEnv.databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Retries `probe` until it stops throwing, or throws its last error after the deadline. */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Resolves with `promise`, or rejects after `ms` naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let spans: InMemorySpanExporter | undefined;

/** Registers the process's tracer with an in-memory exporter (once) and returns it. */
export function memorySpans(): InMemorySpanExporter {
  if (!spans) {
    spans = new InMemorySpanExporter();
    initTracing({ serviceName: 'test', exporter: spans });
  }
  return spans;
}
