/**
 * Throughput of the whole slice on this machine: integrations call ingest over
 * gRPC; preferences routes; interface writes the inbox. The three services run
 * as separate processes (their built dist/main.js), as `npm start` runs them.
 *
 *   pnpm --filter @herald/bench run ingest-to-inbox
 *   BENCH_NOTIFICATIONS=50000 BENCH_CONCURRENCY=128 pnpm --filter @herald/bench run ingest-to-inbox
 *   BENCH_PROFILE=ingest …   (writes a V8 CPU profile of that service to /tmp/prof)
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { NotificationIngestClient } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import {
  dropSchemas,
  eventually,
  exitOf,
  freePort,
  isolatedBus,
  seedAccount,
  startServiceProcess,
  testEnv,
  uniqueName,
  untilServing,
} from '@herald/testing';

const total = Number(process.env['BENCH_NOTIFICATIONS'] ?? 20_000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const users = 10;

/** A built service as its own process; BENCH_PROFILE=<service> writes its CPU profile to /tmp/prof. */
function start(service: string, env: Record<string, string>): ChildProcess {
  const profile = process.env['BENCH_PROFILE'] === service ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
  return startServiceProcess(service, { env, nodeArgs: profile, stderr: 'inherit' });
}

function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

async function main(): Promise<void> {
  const [ingestPort, prefsPort, interfacePort] = [await freePort(), await freePort(), await freePort()];
  const { namespace, cleanup } = await isolatedBus('bench');
  const schemas = { prefs: uniqueName('bench_prefs_'), inbox: uniqueName('bench_inbox_') };
  const common = { HERALD_NAMESPACE: namespace, METRICS_PORT: '0' };
  const children = {
    preferences: start('preferences', { ...common, GRPC_PORT: String(prefsPort), DB_SCHEMA: schemas.prefs }),
    interface: start('interface', { ...common, GRPC_PORT: String(interfacePort), DB_SCHEMA: schemas.inbox }),
    ingest: start('ingest', { ...common, GRPC_PORT: String(ingestPort), PREFERENCES_ADDR: `127.0.0.1:${prefsPort}` }),
  };
  const ingest = new NotificationIngestClient(`127.0.0.1:${ingestPort}`, ...clientOptions());
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  const deadline = { deadlineMs: 30_000 };
  try {
    await untilServing(`127.0.0.1:${prefsPort}`, 60_000);
    const userIds = Array.from({ length: users }, (_, i) => `u${i}`);
    const { keys } = await seedAccount(`127.0.0.1:${prefsPort}`, { accountId: 'bench', userIds });
    const apiKey = keys[0]!.apiKey;
    const send = (i: number) =>
      callUnary(
        ingest.addError.bind(ingest),
        { text: `Benchmark notification ${i}`, recipients: [`u${i % users}`] },
        { ...deadline, bearer: apiKey },
      );
    await eventually(() => send(0), 60_000, 200);

    const stored = async (): Promise<number> => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schemas.inbox}".inbox_items`);
      return rows[0]?.n ?? 0;
    };
    const warm = await eventually(
      async () => {
        const n = await stored();
        if (n < 1) throw new Error('warm-up not stored yet');
        return n;
      },
      60_000,
      200,
    );

    const latencies: number[] = [];
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const t = performance.now();
          await send(i);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const accepted = performance.now();
    let peakRss = { ingest: 0, preferences: 0, interface: 0 };
    for (;;) {
      peakRss = {
        ingest: Math.max(peakRss.ingest, rssMiB(children.ingest.pid)),
        preferences: Math.max(peakRss.preferences, rssMiB(children.preferences.pid)),
        interface: Math.max(peakRss.interface, rssMiB(children.interface.pid)),
      };
      if ((await stored()) >= total + warm) break;
      if (performance.now() - accepted > 300_000) throw new Error('the inbox did not catch up within 5 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = performance.now();
    latencies.sort((a, b) => a - b);
    const seconds = (ms: number) => ms / 1000;
    console.log(
      `ingest → preferences → interface, ${total} notifications, ${concurrency} concurrent callers, one recipient each`,
    );
    console.log(`  accepted by ingest:   ${Math.round(total / seconds(accepted - began))} notifications/s`);
    console.log(`  stored in the inbox:  ${Math.round(total / seconds(done - began))} notifications/s end to end`);
    console.log(
      `  AddError latency ms:  p50 ${percentile(latencies, 50).toFixed(1)}  p95 ${percentile(latencies, 95).toFixed(1)}  p99 ${percentile(latencies, 99).toFixed(1)}`,
    );
    console.log(`  inbox lag after the last accept: ${Math.round(done - accepted)} ms`);
    console.log(
      `  peak RSS MiB:         ingest ${peakRss.ingest}  preferences ${peakRss.preferences}  interface ${peakRss.interface}`,
    );
  } finally {
    ingest.close();
    for (const child of Object.values(children)) child.kill('SIGTERM');
    await Promise.all(Object.values(children).map(exitOf));
    await db.end();
    await dropSchemas(schemas.prefs, schemas.inbox);
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
