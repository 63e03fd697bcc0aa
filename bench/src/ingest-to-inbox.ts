/**
 * Throughput of the whole slice on this machine: integrations call ingest over
 * gRPC; preferences routes; interface writes the inbox. The three services run
 * as separate processes (their built dist/main.js), as `npm start` runs them.
 *
 *   pnpm --filter @herald/bench run ingest-to-inbox
 *   BENCH_NOTIFICATIONS=50000 BENCH_CONCURRENCY=128 pnpm --filter @herald/bench run ingest-to-inbox
 *   BENCH_PROFILE=ingest …   (writes a V8 CPU profile of that service to /tmp/prof)
 */
import pg from 'pg';
import { eventually, testEnv } from '@herald/testing';
import { percentile, rssKiB, startSlice } from './slice.js';

const total = Number(process.env['BENCH_NOTIFICATIONS'] ?? 20_000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const users = Array.from({ length: 10 }, (_, i) => `u${i}`);

const rssMiB = (pid: number | undefined) => Math.round(rssKiB(pid) / 1024);

async function main(): Promise<void> {
  const slice = await startSlice(users);
  const { children, schemas } = slice;
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    const send = (i: number) => slice.addError(`Benchmark notification ${i}`, users[i % users.length]!);
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
    await db.end();
    await slice.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
