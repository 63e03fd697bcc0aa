/**
 * Load generation shared by the benchmarks: closed loops (N callers, each
 * sending again as soon as it has its answer) and open loops (a fixed rate,
 * whatever the answers do), and how the figures are printed.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { percentile } from './slice.js';

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "load average 1.2 0.9 0.7 on 2 cores": printed beside every figure, since the machine is shared. */
export function machineLoad(): string {
  const [one, five, fifteen] = loadavg().map((n) => n.toFixed(1));
  return `load average ${one} ${five} ${fifteen} on ${cpus().length} cores`;
}

/** The machine's idle and total CPU time so far, in clock ticks (the first line of /proc/stat). */
function cpuTicks(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are idle time.
  return { idle: fields[3]! + fields[4]!, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/**
 * Waits until the machine is quiet again after a measure (the last one's
 * stack stopped, its streams and schemas dropped): the CPU at least `idle`
 * idle over each of two seconds in a row, at most `maxMs`. Resolves with
 * the seconds waited and the last second's idle share.
 */
export async function quiet(idle = 0.85, maxMs = 60_000): Promise<{ seconds: number; idle: number }> {
  const began = performance.now();
  let calm = 0;
  let share = 0;
  while (performance.now() - began < maxMs) {
    const before = cpuTicks();
    await pause(1_000);
    const after = cpuTicks();
    share = (after.idle - before.idle) / Math.max(1, after.total - before.total);
    calm = share >= idle ? calm + 1 : 0;
    if (calm >= 2) break;
  }
  return { seconds: (performance.now() - began) / 1000, idle: share };
}

export interface Latencies {
  /** Sorted, in milliseconds. */
  readonly ms: number[];
}

export function sorted(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

export function quantiles(ms: readonly number[]): string {
  const q = (p: number) => percentile(ms, p).toFixed(1);
  return `p50 ${q(50)} ms  p99 ${q(99)} ms  max ${q(100)} ms`;
}

export interface ClosedLoopResult {
  /** Calls that succeeded, and how many units of work (e.g. notifications) they carried. */
  calls: number;
  units: number;
  errors: number;
  firstError: unknown;
  seconds: number;
  /** Call latencies, sorted, in milliseconds. */
  ms: number[];
}

/**
 * `concurrency` callers call `call(i)` back to back for `seconds`; `call`
 * resolves with the units of work it carried.
 */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  call: (i: number) => Promise<number>,
): Promise<ClosedLoopResult> {
  const result: ClosedLoopResult = { calls: 0, units: 0, errors: 0, firstError: undefined, seconds: 0, ms: [] };
  const began = performance.now();
  const end = began + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const units = await call(next++);
          result.units += units;
          result.calls++;
          result.ms.push(performance.now() - t);
        } catch (err) {
          if (result.errors++ === 0) result.firstError = err;
        }
      }
    }),
  );
  result.seconds = (performance.now() - began) / 1000;
  sorted(result.ms);
  return result;
}

export interface OpenLoopResult {
  sent: number;
  /** Not sent: `maxInFlight` calls were already waiting (the system fell behind). */
  skipped: number;
  errors: number;
  firstError: unknown;
  /** Call latencies from the moment the call was due, sorted, in milliseconds. */
  ms: number[];
  seconds: number;
}

/** Calls `call(i)` at `rate` a second for `seconds`, whatever the answers do, at most `maxInFlight` waiting. */
export async function openLoop(
  rate: number,
  seconds: number,
  call: (i: number) => Promise<unknown>,
  maxInFlight = 1024,
): Promise<OpenLoopResult> {
  const result: OpenLoopResult = { sent: 0, skipped: 0, errors: 0, firstError: undefined, ms: [], seconds: 0 };
  const total = Math.round(rate * seconds);
  const calls: Promise<void>[] = [];
  let inFlight = 0;
  const began = performance.now();
  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - began) * rate) / 1000));
    for (; next < due; next++) {
      if (inFlight >= maxInFlight) {
        result.skipped++;
        continue;
      }
      inFlight++;
      result.sent++;
      const t = performance.now();
      calls.push(
        call(next).then(
          () => {
            inFlight--;
            result.ms.push(performance.now() - t);
          },
          (err: unknown) => {
            inFlight--;
            if (result.errors++ === 0) result.firstError = err;
          },
        ),
      );
    }
    await pause(1);
  }
  result.seconds = (performance.now() - began) / 1000;
  await Promise.all(calls);
  sorted(result.ms);
  return result;
}

/** 12,345 */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** "0.42×" of a ceiling, or of a target. */
export const ratio = (figure: number, of: number) => `${Number((figure / of).toPrecision(2))}×`;
