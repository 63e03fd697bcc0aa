/**
 * The live feed on this machine, with 1,000 and then 10,000 WebSockets open
 * to the gateway, spread over users with a few tabs each:
 *
 * - end to end: an integration calls ingest (gRPC add_error) at a fixed rate;
 *   preferences routes; interface stores the item and publishes it on
 *   live.<account>.<user>; the gateway pushes it to every WebSocket of the
 *   user. A latency runs from the moment the add_error call leaves the caller
 *   to the moment a client has the frame, so it includes the accept call.
 * - the feed alone: the same rate of items published straight on
 *   live.<account>.<user>, as interface publishes them; a latency runs from
 *   the publish to the frame.
 *
 * The services and the gateway (its live plugin in a minimal Fastify server,
 * bench/src/live-server.ts) each run as their own process; the clients run here.
 *
 *   npm run bench:live
 *   BENCH_CONNECTIONS=1000,10000 BENCH_RATE=1000 BENCH_SECONDS=10 BENCH_TABS=2 npm run bench:live
 *
 * Every connection is a file descriptor here and in the gateway: the npm
 * script raises the soft limit to the hard one (`ulimit -n`), and the
 * benchmark stops at once when that is still too low.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { ProviderKind, topics } from '@herald/contracts';
import { exitOf, freePort } from '@herald/testing';
import { benchAccount, inParallel, percentile, rssKiB, startSlice, type Slice } from './slice.js';

const counts = (process.env['BENCH_CONNECTIONS'] ?? '1000,10000').split(',').map(Number);
const rate = Number(process.env['BENCH_RATE'] ?? 1_000);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
/** Open connections per user: tabs and devices. */
const tabs = Number(process.env['BENCH_TABS'] ?? 2);
const warmUpSeconds = 2;
/** How long the last frames may take after the last send. */
const drainMs = 30_000;
const marker = 'bench #';
/** add_error calls waiting at most; beyond, a send is skipped and counted. */
const maxCalls = 512;

function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 0);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startGateway(slice: Slice): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = fork(fileURLToPath(new URL('./live-server.js', import.meta.url)), [], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HERALD_NAMESPACE: slice.namespace,
      INBOX_ADDR: slice.addresses.interface,
      PORT: String(port),
      ...(process.env['NATS_URL'] ? { NATS_URL: process.env['NATS_URL'] } : {}),
    },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return { child, url: `ws://127.0.0.1:${port}/api/v1/me/live` };
}

/** The gateway's JS heap in use after a full collection, in KiB. */
async function heapKiB(child: ChildProcess): Promise<number> {
  child.send('memory');
  const [usage] = (await once(child, 'message')) as [NodeJS.MemoryUsage];
  return usage.heapUsed / 1024;
}

function connect(url: string, user: string, onItem: (text: string) => void, onClose: () => void): Promise<WebSocket> {
  const socket = new WebSocket(`${url}?access_token=${user}`);
  socket.once('close', onClose);
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; data: { text?: string } };
    if (frame.type === 'item' && frame.data.text?.startsWith(marker)) onItem(frame.data.text);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

interface Phase {
  /** The first sequence number measured; earlier ones warm up. */
  from: number;
  latencies: number[];
  /** Frames due: each notification reaches every connection of its user. */
  expected: number;
  callMs: number[];
  errors: number;
  /** Not sent: `maxCalls` calls were already waiting. */
  skipped: number;
  sendSeconds: number;
}

interface Run {
  users: number;
  rssPerConnectionKiB: number;
  heapPerConnectionKiB: number;
  rssIdleMiB: number;
  rssPeakMiB: number;
  endToEnd: Phase;
  feedAlone: Phase;
  /** Connections the gateway closed during the run. */
  closed: number;
}

async function run(slice: Slice, users: readonly string[], connections: number): Promise<Run> {
  const gateway = await startGateway(slice);
  const baseline = { rss: rssKiB(gateway.child.pid), heap: await heapKiB(gateway.child) };
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, rssKiB(gateway.child.pid));
  };
  const sentAt: number[] = [];
  let next = 0;
  let current: Phase | undefined;
  const onItem = (text: string) => {
    const i = Number(text.slice(marker.length));
    const at = sentAt[i];
    if (current && i >= current.from && at !== undefined) current.latencies.push(performance.now() - at);
  };
  const connected = users.slice(0, Math.ceil(connections / tabs));
  const owners = Array.from({ length: connections }, (_, i) => connected[i % connected.length]!);
  const tabsOf = new Map<string, number>();
  for (const user of owners) tabsOf.set(user, (tabsOf.get(user) ?? 0) + 1);

  /** Sends at `rate` for the warm-up and then the measured seconds, open loop; waits for the frames due. */
  const measure = async (
    send: (text: string, user: string) => Promise<unknown>,
    maxInFlight = Infinity,
  ): Promise<Phase> => {
    const phase: Phase = {
      from: next + warmUpSeconds * rate,
      latencies: [],
      expected: 0,
      callMs: [],
      errors: 0,
      skipped: 0,
      sendSeconds: 0,
    };
    const last = phase.from + seconds * rate;
    const calls: Promise<void>[] = [];
    let inFlight = 0;
    const sendOne = (i: number) => {
      const user = connected[(i * 7919) % connected.length]!;
      // A pipeline that falls behind is reported, not buried under calls that can only time out.
      if (inFlight >= maxInFlight) {
        if (i >= phase.from) phase.skipped++;
        return;
      }
      inFlight++;
      const t = performance.now();
      sentAt[i] = t;
      const measured = i >= phase.from;
      if (measured) phase.expected += tabsOf.get(user) ?? 0;
      const call = send(`${marker}${i}`, user).then(
        () => {
          inFlight--;
          if (measured) phase.callMs.push(performance.now() - t);
        },
        (err: unknown) => {
          inFlight--;
          if (!measured) return;
          if (phase.errors++ === 0) console.error(`    first failed send: ${String(err)}`);
        },
      );
      calls.push(call);
    };
    current = phase;
    const began = performance.now();
    const first = next;
    let measuredSince = began;
    while (next < last) {
      const due = Math.min(last, first + Math.floor(((performance.now() - began) * rate) / 1000));
      if (next < phase.from && due >= phase.from) measuredSince = performance.now();
      while (next < due) sendOne(next++);
      sample();
      await pause(5);
    }
    phase.sendSeconds = (performance.now() - measuredSince) / 1000;
    const deadline = performance.now() + drainMs;
    while (phase.latencies.length < phase.expected && performance.now() < deadline) {
      sample();
      await pause(50);
    }
    // Every call has a deadline: they all settle.
    await Promise.all(calls);
    phase.latencies.sort((a, b) => a - b);
    phase.callMs.sort((a, b) => a - b);
    return phase;
  };

  const sockets: WebSocket[] = [];
  let closed = 0;
  let ending = false;
  try {
    await inParallel(owners, 100, async (user) =>
      sockets.push(
        await connect(gateway.url, user, onItem, () => {
          if (!ending) closed++;
        }),
      ),
    );
    await pause(2_000);
    const heap = await heapKiB(gateway.child);
    const idle = rssKiB(gateway.child.pid);
    peak = idle;
    const feedAlone = await measure(async (text, user) => {
      const date = new Date();
      slice.bus.publishCore(topics.live, [benchAccount, user], {
        event: {
          $case: 'itemAdded',
          value: {
            notification: {
              id: `feed-${text.slice(marker.length)}`,
              accountId: benchAccount,
              provider: { id: 'bench', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Bench', iconUrl: '' },
              recipients: [],
              occurredAt: date,
              ingestedAt: date,
              body: { $case: 'error', value: { header: '', text, link: '' } },
            },
            rendered: { title: 'Bench', body: text, link: '' },
            readAt: undefined,
          },
        },
      });
    });
    // Ingest caches what the directory answers per recipient: a steady stream has every user's answer.
    await inParallel(connected, 16, (user) => slice.addError('warm-up', user));
    const endToEnd = await measure((text, user) => slice.addError(text, user), maxCalls);
    return {
      users: connected.length,
      rssPerConnectionKiB: (idle - baseline.rss) / connections,
      heapPerConnectionKiB: (heap - baseline.heap) / connections,
      rssIdleMiB: idle / 1024,
      rssPeakMiB: peak / 1024,
      endToEnd,
      feedAlone,
      closed,
    };
  } finally {
    ending = true;
    for (const socket of sockets) socket.terminate();
    gateway.child.kill('SIGTERM');
    await exitOf(gateway.child);
  }
}

function report(name: string, phase: Phase, calls?: string): void {
  const ms = (p: number) => percentile(phase.latencies, p).toFixed(1);
  const sent = seconds * rate;
  console.log(
    `    ${name}: p50 ${ms(50)} ms  p99 ${ms(99)} ms  max ${ms(100)} ms  ` +
      `(${phase.latencies.length} of ${phase.expected} frames; ${Math.round(sent / phase.sendSeconds)} sent/s)`,
  );
  if (calls) {
    console.log(
      `      ${calls}: p50 ${percentile(phase.callMs, 50).toFixed(1)} ms  p99 ${percentile(phase.callMs, 99).toFixed(1)} ms  ` +
        `(${phase.errors} of ${sent} failed, ${phase.skipped} not sent with ${maxCalls} waiting)`,
    );
  }
}

async function main(): Promise<void> {
  const most = Math.max(...counts);
  const needed = most + 500;
  if (openFileLimit() < needed) {
    throw new Error(`${most} connections need ${needed} open files: raise ulimit -n (now ${openFileLimit()})`);
  }
  const users = Array.from({ length: Math.ceil(most / tabs) }, (_, i) => `u${i}`);
  const slice = await startSlice(users);
  try {
    console.log(
      `live feed: ${rate} notifications/s for ${seconds} s (after ${warmUpSeconds} s of warm-up), ` +
        `one recipient each, ${tabs} WebSockets per user; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    );
    for (const connections of counts) {
      const r = await run(slice, users, connections);
      console.log(`  ${connections} WebSockets open (${r.users} users):`);
      report('live.<account>.<user> → WebSocket', r.feedAlone);
      report('add_error → WebSocket', r.endToEnd, 'add_error accepted in');
      if (r.closed > 0) console.log(`    ${r.closed} connections closed by the gateway during the run`);
      console.log(
        `    gateway per open connection: ${r.rssPerConnectionKiB.toFixed(1)} KiB of RSS, ` +
          `${r.heapPerConnectionKiB.toFixed(1)} KiB of JS heap after a full collection`,
      );
      console.log(
        `    gateway RSS: ` +
          `${r.rssIdleMiB.toFixed(0)} MiB with every connection open and idle, ${r.rssPeakMiB.toFixed(0)} MiB at most under load`,
      );
    }
  } finally {
    await slice.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
