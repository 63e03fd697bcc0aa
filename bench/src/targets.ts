/**
 * Herald's targets on this machine (issue 14), each beside the ceilings of
 * the parts underneath, in one run:
 *
 *   T1  notifications/s through the batch route (HTTP and gRPC), each stored
 *       in the inbox and pushed to a connected WebSocket, nothing lost or twice
 *   T2  the same with one notification per call, 64 callers
 *   T3  accept → WebSocket receipt at a steady rate with 10,000 open connections
 *   T4  an inbox page through the HTTP API, a user among 10 million items
 *   T5  RSS of each idle service; gateway memory per open live connection
 *
 *   npm run bench                      every target and the ceilings, 15 s each
 *   npm run bench -- T3 --seconds 60   one target, at the issue's 60 s
 *   npm run bench -- ceilings
 *
 * Every service (ingest, preferences, interface, gateway) runs as its own
 * process (its built dist/main.js) against the machine's NATS and
 * PostgreSQL; the load comes from this process. BENCH_PROFILE=<service>
 * writes that service's V8 CPU profile to /tmp/prof.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { callUnary } from '@herald/rpc';
import { exitOf, testEnv } from '@herald/testing';
import { measureCeilings, printCeilings, type Ceilings } from './ceilings.js';
import { startGateway, tokensFor, type BenchGateway } from './gateway.js';
import { loadInbox } from './inbox-load.js';
import { openLiveClients, openLiveClientsInWorker } from './live-clients.js';
import { closedLoop, count, machineLoad, openLoop, pause, quantiles, quiet, ratio, sorted } from './load.js';
import { benchNodeArgs, cpuMs, percentile, rssKiB, startSlice, type Slice } from './slice.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: process.env['BENCH_SECONDS'] ?? '15' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '10000' },
    'inbox-rows': { type: 'string', default: String(10_000_000) },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const connections = Number(values.connections);
const inboxRows = Number(values['inbox-rows']);
const wanted = new Set(
  (positionals.length > 0 ? positionals : ['ceilings', 'T1', 'T2', 'T3', 'T4', 'T5']).map((p) =>
    p === 'ceilings' ? p : p.toUpperCase(),
  ),
);

const targets = {
  T1: 5_000,
  T2: 2_500,
  T3: { p50: 3, p99: 10 },
  T4: { p99: 5 },
  T5: { rssMiB: 120, perConnectionKiB: 10 },
} as const;

/** How long the pipeline may take to catch up after the load stops. */
const drainMs = 120_000;
const mib = (kib: number) => (kib / 1024).toFixed(0);

interface Stack {
  slice: Slice;
  gateway: BenchGateway;
  stop(): Promise<void>;
}

/**
 * Before each target: what the one before left behind (PostgreSQL's dirty
 * pages, JetStream removing dropped streams) is flushed and done with, so it
 * does not run in the middle of the next measure.
 */
async function settle(): Promise<void> {
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    await db.query('CHECKPOINT');
  } finally {
    await db.end();
  }
  const { seconds, idle } = await quiet();
  console.log(`  (settled for ${seconds.toFixed(0)} s: the CPU ${(idle * 100).toFixed(0)}% idle; ${machineLoad()})`);
}

async function startStack(users: readonly string[], inboxSchema?: string): Promise<Stack> {
  await settle();
  // A kept inbox is the same from run to run: no retention sweep removes its read items.
  const slice = await startSlice(
    users,
    inboxSchema ? { inboxSchema, env: { interface: { INBOX_RETENTION_DAYS: '0' } } } : {},
  );
  let gateway: BenchGateway;
  try {
    gateway = await startGateway(slice, benchNodeArgs('gateway'));
  } catch (err) {
    await slice.stop();
    throw err;
  }
  return {
    slice,
    gateway,
    async stop() {
      gateway.child.kill('SIGTERM');
      await exitOf(gateway.child);
      await slice.stop();
    },
  };
}

function pids(stack: Stack): Record<string, number | undefined> {
  const { children } = stack.slice;
  return {
    ingest: children.ingest.pid,
    preferences: children.preferences.pid,
    interface: children.interface.pid,
    gateway: stack.gateway.child.pid,
  };
}

/**
 * The CPU time each process spends per unit of work (e.g. per notification)
 * between start and `line()`: unlike latency, it holds when something else
 * shares the machine. `load` is this benchmark's own process.
 */
function cpuMeter(stack: Stack): { line(units: number): string } {
  const processes = Object.entries(pids(stack));
  const own = () => process.cpuUsage();
  const start = processes.map(([, pid]) => cpuMs(pid));
  const ownStart = own();
  return {
    line(units) {
      const used = processes.map(([name, pid], i) => [name, cpuMs(pid) - start[i]!] as const);
      const ownUsed = own();
      const load = (ownUsed.user + ownUsed.system - ownStart.user - ownStart.system) / 1000;
      const all = [...used, ['load', load] as const];
      const total = all.reduce((sum, [, ms]) => sum + ms, 0);
      const per = (ms: number) => ((ms / units) * 1000).toFixed(0);
      return `CPU µs per notification: ${all.map(([name, ms]) => `${name} ${per(ms)}`).join('  ')}  (all ${per(total)})`;
    },
  };
}

function rssLine(peak: Record<string, number>): string {
  return Object.entries(peak)
    .map(([name, kib]) => `${name} ${mib(kib)}`)
    .join('  ');
}

interface ThroughputRun {
  transport: 'HTTP' | 'gRPC';
  perCall: number;
  concurrency: number;
}

/**
 * T1 and T2: callers send for `seconds`, closed loop; then the run waits
 * until every accepted notification is in the inbox and on its WebSocket.
 * The figure is accepted notifications over the time to the last of them
 * stored and pushed.
 */
async function throughput(stack: Stack, users: readonly string[], run: ThroughputRun): Promise<number> {
  const { slice, gateway } = stack;
  const tokens = await tokensFor(slice, users);
  const live = await openLiveClients(gateway.url, tokens, users, 1);
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  const http = new Pool(gateway.url, { connections: run.concurrency });
  const stored = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${slice.schemas.inbox}".inbox_items`)).rows[0]!.n;
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids(stack))) peak[name] = Math.max(peak[name] ?? 0, rssKiB(pid));
  };
  const sampler = setInterval(sample, 250);
  try {
    const before = await stored();
    const receivedBefore = live.received;
    const itemOf = (i: number, j: number) => ({
      text: `T #${i}.${j}`,
      user: users[(i * run.perCall + j) % users.length]!,
    });
    const send = async (i: number): Promise<number> => {
      const items = Array.from({ length: run.perCall }, (_, j) => itemOf(i, j));
      if (run.transport === 'HTTP') {
        const single = run.perCall === 1;
        const { statusCode, body } = await http.request({
          method: 'POST',
          path: single ? '/api/v1/notifications/add_error' : '/api/v1/notifications/batch',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${slice.apiKey}` },
          body: JSON.stringify(
            single
              ? { text: items[0]!.text, users: [items[0]!.user] }
              : { items: items.map((it) => ({ method: 'add_error', params: { text: it.text }, users: [it.user] })) },
          ),
        });
        const answer = (await body.json()) as { results?: { id?: string }[] };
        if (statusCode >= 300) throw new Error(`HTTP ${statusCode}: ${JSON.stringify(answer)}`);
        return single ? 1 : (answer.results ?? []).filter((r) => r.id).length;
      }
      if (run.perCall === 1) {
        await slice.addError(items[0]!.text, items[0]!.user);
        return 1;
      }
      const reply = await callUnary(
        slice.ingest.batch.bind(slice.ingest),
        {
          items: items.map((it) => ({
            call: { $case: 'addError' as const, value: { text: it.text, recipients: [it.user] } },
          })),
        },
        { deadlineMs: 30_000, bearer: slice.apiKey },
      );
      return reply.results.filter((r) => r.result?.$case === 'added').length;
    };
    const cpu = cpuMeter(stack);
    const began = performance.now();
    const load = await closedLoop(run.concurrency, seconds, send);
    const accepted = load.units;
    const lastAccept = performance.now();
    let inInbox = 0;
    for (;;) {
      inInbox = (await stored()) - before;
      if (
        (inInbox >= accepted && live.received - receivedBefore >= accepted) ||
        performance.now() - lastAccept > drainMs
      )
        break;
      await pause(20);
    }
    const done = performance.now();
    const pushed = live.received - receivedBefore;
    const figure = accepted / ((done - began) / 1000);
    console.log(
      `  ${run.transport}, ${run.perCall === 1 ? 'one notification per call' : `${run.perCall} per batch call`}, ` +
        `${run.concurrency} callers, ${seconds} s:`,
    );
    console.log(
      `    ${count(figure)} notifications/s stored and pushed (accepted ${count(accepted / load.seconds)}/s; ` +
        `the last one ${count(done - lastAccept)} ms after the last accept)`,
    );
    console.log(
      `    calls: ${quantiles(load.ms)}; ${load.errors} failed${load.firstError ? ` (${String(load.firstError)})` : ''}`,
    );
    console.log(
      `    ${count(accepted)} accepted, ${count(inInbox)} in the inbox, ${count(pushed)} pushed, ` +
        `${live.duplicates} pushed twice, ${live.closed} connections dropped` +
        (inInbox < accepted || pushed < accepted ? '  ← LOST' : ''),
    );
    console.log(`    ${cpu.line(accepted)}`);
    console.log(`    peak RSS MiB: ${rssLine(peak)}`);
    return figure;
  } finally {
    clearInterval(sampler);
    live.close();
    await http.close();
    await db.end();
  }
}

function printRatios(
  figure: number,
  ceilings: Ceilings | undefined,
  perCall: number,
  transport: 'HTTP' | 'gRPC',
): void {
  if (!ceilings) return;
  // Each notification is published twice (ingested, delivery), consumed twice and inserted once.
  const calls = figure / perCall;
  console.log(
    `    share of each ceiling used: JetStream publish ${ratio(figure * 2, ceilings.jetstreamPublish)}, ` +
      `consume ${ratio(figure * 2, ceilings.jetstreamConsume)}, PostgreSQL insert ${ratio(figure, ceilings.postgresInsert)}, ` +
      (transport === 'HTTP' ? `Fastify route ${ratio(calls, ceilings.fastify)}, ` : '') +
      `gRPC unary ${ratio(calls, ceilings.grpc)}`,
  );
}

async function t1t2(name: 'T1' | 'T2', ceilings: Ceilings | undefined): Promise<void> {
  const users = Array.from({ length: 100 }, (_, i) => `u${i}`);
  const stack = await startStack(users);
  try {
    const perCall = name === 'T1' ? 100 : 1;
    const concurrency = name === 'T1' ? 8 : 64;
    console.log(
      `${name} (target ≥ ${count(targets[name])} notifications/s), ${users.length} users, one WebSocket each; ${machineLoad()}`,
    );
    for (const transport of ['HTTP', 'gRPC'] as const) {
      const figure = await throughput(stack, users, { transport, perCall, concurrency });
      console.log(
        `    ${name} ${transport}: ${count(figure)}/s = ${ratio(figure, targets[name])} of the target; ${machineLoad()}`,
      );
      printRatios(figure, ceilings, perCall, transport);
    }
  } finally {
    await stack.stop();
  }
}

/** T3 (and T5's per-connection memory): a steady rate of add_error calls with `connections` WebSockets open. */
async function t3(ceilings: Ceilings | undefined): Promise<void> {
  const tabs = 2;
  const users = Array.from({ length: Math.ceil(connections / tabs) }, (_, i) => `u${i}`);
  const stack = await startStack(users);
  const { slice, gateway } = stack;
  try {
    const tokens = await tokensFor(slice, users);
    const idle = rssKiB(gateway.child.pid);
    // The sockets live on a thread of their own, which times each frame as it arrives.
    const live = await openLiveClientsInWorker(gateway.url, tokens, users, tabs, 'T3 #');
    await pause(2_000);
    const open = rssKiB(gateway.child.pid);
    try {
      // Every user's authorization and settings are cached on a steady stream: the warm-up sends to all.
      const warmUp = await openLoop(rate, Math.max(2, users.length / rate), (i) =>
        slice.addError('warm-up', users[i % users.length]!),
      );
      // The measure starts once the warm-up's frames have all arrived: none of its backlog is measured.
      const drained = performance.now() + 30_000;
      while ((await live.counts()).received < warmUp.sent * tabs && performance.now() < drained) await pause(20);
      await pause(1_000);
      /** Wall clock (ms) of each call's sending, by its text. */
      const sentAt = new Map<string, number>();
      let expected = 0;
      const cpu = cpuMeter(stack);
      const ownDelay = monitorEventLoopDelay({ resolution: 10 });
      ownDelay.enable();
      const measureStart = performance.timeOrigin + performance.now();
      const load = await openLoop(rate, seconds, async (i) => {
        const text = `T3 #${i}`;
        const user = users[(i * 7919) % users.length]!;
        sentAt.set(text, performance.timeOrigin + performance.now());
        expected += tabs;
        await slice.addError(text, user);
      });
      const deadline = performance.now() + 30_000;
      // Counted by their own texts: a warm-up frame still on its way must not stand in for one of these.
      while ((await live.counts()).watched < expected && performance.now() < deadline) await pause(20);
      const cpuLine = cpu.line(load.sent);
      ownDelay.disable();
      const counts = await live.counts();
      const frames = (await live.watched()).flatMap(([text, arrivedAt, date]) => {
        const sent = sentAt.get(text);
        // Split at the item's date, the wall-clock time ingest took it (the calls give none).
        return sent === undefined
          ? []
          : [{ ms: arrivedAt - sent, sentMs: sent - measureStart, afterAccept: arrivedAt - Date.parse(date) }];
      });
      const latencies = sorted(frames.map((f) => f.ms));
      const slowest = frames.sort((a, b) => b.ms - a.ms).slice(0, 8);
      const afterAccept = sorted(frames.map((f) => f.afterAccept));
      const q = (p: number) => percentile(latencies, p);
      console.log(
        `T3 (target p50 ≤ ${targets.T3.p50} ms, p99 ≤ ${targets.T3.p99} ms): add_error → WebSocket at ${rate}/s for ${seconds} s, ` +
          `${count(connections)} WebSockets open (${count(users.length)} users × ${tabs}); ${machineLoad()}`,
      );
      console.log(`    frames: ${quantiles(latencies)} (${count(latencies.length)} of ${count(expected)})`);
      console.log(`    of which after ingest took the notification (its date, wall clock): ${quantiles(afterAccept)}`);
      console.log(
        `    slowest frames: ${slowest.map((f) => `${f.ms.toFixed(0)} ms (sent at ${(f.sentMs / 1000).toFixed(1)} s, ${f.afterAccept.toFixed(0)} after ingest)`).join(', ')}`,
      );
      console.log(`    ${cpuLine}`);
      console.log(
        `    the sender's own event loop delay: p99 ${(ownDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(ownDelay.max / 1e6).toFixed(0)} ms`,
      );
      console.log(
        `    add_error calls: ${quantiles(load.ms)}; sent ${count(load.sent / load.seconds)}/s, ${load.errors} failed, ${load.skipped} not sent (too many waiting)`,
      );
      console.log(
        `    T3: p50 ${q(50).toFixed(1)} ms = ${ratio(q(50), targets.T3.p50)} of the target, p99 ${q(99).toFixed(1)} ms = ${ratio(q(99), targets.T3.p99)}` +
          (ceilings
            ? `; ${rate}/s is ${ratio(rate * 2, ceilings.jetstreamPublish)} of the JetStream publish ceiling`
            : ''),
      );
      if (counts.duplicates > 0 || counts.closed > 0) {
        console.log(`    ${counts.duplicates} items pushed twice, ${counts.closed} connections dropped`);
      }
      const perConnection = (open - idle) / connections;
      console.log(
        `    T5 gateway per open connection: ${perConnection.toFixed(1)} KiB of RSS = ${ratio(perConnection, targets.T5.perConnectionKiB)} of the target ` +
          `(${mib(idle)} MiB idle, ${mib(open)} MiB with every connection open)`,
      );
    } finally {
      await live.close();
    }
  } finally {
    await stack.stop();
  }
}

/**
 * The PostgreSQL backends serving `pid`'s connections: its sockets' local
 * ports (/proc/<pid>/fd and /proc/net/tcp) matched with the client ports of
 * pg_stat_activity.
 */
async function backendsOf(pid: number | undefined): Promise<number[]> {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      const target = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' }));
      return target ? [target[1]!] : [];
    }),
  );
  const ports = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[9] !== undefined && inodes.has(cols[9]))
    .map((cols) => parseInt(cols[1]!.split(':')[1]!, 16));
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])',
      [ports],
    );
    return rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}

/** T4: first and next pages of random users among `inboxRows` items, at `rate` requests a second. */
async function t4(): Promise<void> {
  const usersCount = 10_000;
  const users = Array.from({ length: usersCount }, (_, i) => `u${i}`);
  const schema = `bench_inbox_${inboxRows}`;
  // The stack's warm-up notification goes to a user outside the measured ones: their pages stay as loaded.
  const stack = await startStack(['t4-warm-up', ...users.slice(0, 10)], schema);
  const { slice, gateway } = stack;
  const http = new Pool(gateway.url, { connections: 64 });
  try {
    await loadInbox(schema, inboxRows, usersCount);
    const tokens = await tokensFor(slice, users);
    const page = async (user: string, cursor?: string) => {
      const { statusCode, body } = await http.request({
        method: 'GET',
        path: `/api/v1/me/notifications${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
        headers: { authorization: `Bearer ${tokens.get(user) ?? ''}` },
      });
      const answer = (await body.json()) as { items?: unknown[]; next_cursor?: string };
      if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${JSON.stringify(answer)}`);
      return answer;
    };
    // Cursors of a sample of users, so half the measured requests are next pages.
    const cursors: [string, string][] = [];
    for (let i = 0; i < 200; i++) {
      const user = users[(i * 7919) % usersCount]!;
      const first = await page(user);
      if (first.next_cursor) cursors.push([user, first.next_cursor]);
    }
    // Half first pages of any user, half next pages of the sample; the warm-up sends the same mix.
    const request = (i: number) =>
      i % 2 === 1 && cursors.length > 0
        ? page(...cursors[i % cursors.length]!)
        : page(users[(i * 104_729) % usersCount]!);
    await openLoop(rate, 2, request);
    const backends = await backendsOf(slice.children.interface.pid);
    // A backend that ended in between (the pool closes idle connections) counts for nothing.
    const postgres = () => backends.map((pid) => (existsSync(`/proc/${pid}`) ? cpuMs(pid) : NaN));
    const measured = { gateway: gateway.child.pid, interface: slice.children.interface.pid };
    const cpuBefore = Object.fromEntries(Object.entries(measured).map(([name, pid]) => [name, cpuMs(pid)]));
    const postgresBefore = postgres();
    const ownBefore = process.cpuUsage();
    /** The slowest requests, with when they were sent (ms into the measure): a stall shows as a cluster. */
    let slowest: { ms: number; sentMs: number }[] = [];
    const measureStart = performance.now();
    const load = await openLoop(rate, seconds, async (i) => {
      const sent = performance.now();
      await request(i);
      const ms = performance.now() - sent;
      if (slowest.length < 8 || ms > slowest[slowest.length - 1]!.ms) {
        slowest = [...slowest, { ms, sentMs: sent - measureStart }].sort((a, b) => b.ms - a.ms).slice(0, 8);
      }
    });
    const own = process.cpuUsage(ownBefore);
    const perRequest = (ms: number) => `${count((ms * 1000) / Math.max(1, load.ms.length))} µs`;
    const cpu = [
      ...Object.entries(measured).map(([name, pid]) => `${name} ${perRequest(cpuMs(pid) - (cpuBefore[name] ?? 0))}`),
      `PostgreSQL (the interface's ${backends.length} connections) ${perRequest(
        postgres().reduce((sum, ms, i) => sum + (Number.isNaN(ms) ? 0 : ms - (postgresBefore[i] ?? 0)), 0),
      )}`,
      `load generator ${perRequest((own.user + own.system) / 1000)}`,
    ].join(', ');
    const p99 = load.ms[Math.min(load.ms.length - 1, Math.floor(load.ms.length * 0.99))] ?? NaN;
    console.log(
      `T4 (target p99 ≤ ${targets.T4.p99} ms): GET /api/v1/me/notifications at ${rate}/s for ${seconds} s, ` +
        `half first pages and half next pages, users among ${count(inboxRows)} items; ${machineLoad()}`,
    );
    console.log(
      `    ${quantiles(load.ms)}; ${count(load.sent / load.seconds)} sent/s, ${load.errors} failed` +
        `${load.firstError ? ` (${String(load.firstError)})` : ''}, ${load.skipped} not sent (too many waiting)`,
    );
    console.log(
      `    slowest: ${slowest.map((r) => `${r.ms.toFixed(0)} ms (sent at ${(r.sentMs / 1000).toFixed(1)} s)`).join(', ')}`,
    );
    console.log(`    CPU per request: ${cpu}`);
    console.log(`    T4: p99 ${p99.toFixed(1)} ms = ${ratio(p99, targets.T4.p99)} of the target`);
  } finally {
    await http.close();
    await stack.stop();
  }
}

/** T5: each service idle, a few seconds after it started. */
async function t5(): Promise<void> {
  const stack = await startStack(['u0']);
  try {
    await pause(5_000);
    const rss = Object.fromEntries(Object.entries(pids(stack)).map(([name, pid]) => [name, rssKiB(pid)]));
    const worst = Math.max(...Object.values(rss));
    console.log(`T5 (target ≤ ${targets.T5.rssMiB} MB RSS per idle service): ${machineLoad()}`);
    console.log(`    idle RSS MiB: ${rssLine(rss)}`);
    console.log(
      `    T5: the largest is ${mib(worst)} MiB = ${ratio(worst / 1024, targets.T5.rssMiB)} of the target (per connection: see T3)`,
    );
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  console.log(`Herald benchmarks, ${seconds} s per measure; ${machineLoad()}`);
  let ceilings: Ceilings | undefined;
  if (wanted.has('ceilings')) {
    ceilings = await measureCeilings(Math.min(seconds, 10));
    printCeilings(ceilings);
    console.log(`    (${machineLoad()})`);
  }
  if (wanted.has('T1')) await t1t2('T1', ceilings);
  if (wanted.has('T2')) await t1t2('T2', ceilings);
  if (wanted.has('T3')) await t3(ceilings);
  if (wanted.has('T4')) await t4();
  if (wanted.has('T5')) await t5();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
