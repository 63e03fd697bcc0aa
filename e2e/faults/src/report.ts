import type { Sent } from './load.js';
import type { SeenLetter } from './poison.js';
import type { UnexpectedExit } from './services.js';

/** What the suite reads of a durable consumer at the end. */
export interface ConsumerState {
  name: string;
  num_pending: number;
  num_ack_pending: number;
  num_redelivered: number;
}

export interface PhaseRecord {
  name: string;
  startedAt: number;
  endedAt: number;
  /** How long the fault lasted: from striking to lifted. */
  faultMs?: number;
  /** From the fault lifted to ingest taking a new notification; unset when it never did. */
  acceptingMs?: number;
  /** From the fault lifted to that notification stored end to end; unset when it never was. */
  recoveredMs?: number;
}

export interface FiguresInput {
  records: readonly PhaseRecord[];
  sent: readonly Sent[];
  probes: readonly Sent[];
  /** Inbox rows per idempotency key. */
  stored: ReadonlyMap<string, number>;
  deadLetters: readonly SeenLetter[];
  poisonCounts: ReadonlyMap<number, number>;
  poisonCount: number;
  exits: readonly UnexpectedExit[];
  consumers: readonly ConsumerState[];
}

interface Row {
  fault: string;
  sent: number;
  accepted: number;
  refused: Map<string, number>;
  retried: Map<string, number>;
  stored: number;
  lost: number;
  duplicated: number;
  deadLettered: number;
  exits: number;
  accepting: string;
  recovered: string;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

function add(counts: Map<string, number>, name: string, by = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + by);
}

const listed = (counts: ReadonlyMap<string, number>): string =>
  [...counts].map(([name, n]) => `${name} ${n}`).join(', ') || 'none';

/** What became of the notifications of each fault, and whether the run passes. */
export class Figures {
  private readonly rows: Row[];

  constructor(private readonly input: FiguresInput) {
    this.rows = input.records.map((record, i) => {
      const until = input.records[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
      const mine = input.sent.filter((s) => s.phase === record.name);
      const row: Row = {
        fault: record.name,
        sent: mine.length,
        accepted: 0,
        refused: new Map(),
        retried: new Map(),
        stored: 0,
        lost: 0,
        duplicated: 0,
        deadLettered: input.deadLetters.filter((letter) => letter.at >= record.startedAt && letter.at < until).length,
        exits: input.exits.filter((exit) => exit.during === record.name).length,
        accepting: record.faultMs === undefined ? '-' : seconds(record.acceptingMs),
        recovered: record.faultMs === undefined ? '-' : seconds(record.recoveredMs),
      };
      for (const s of mine) {
        const rows = input.stored.get(s.key) ?? 0;
        if (s.id !== undefined) row.accepted++;
        if (s.refused !== undefined) add(row.refused, s.refused);
        for (const [name, n] of s.retried) add(row.retried, name, n);
        if (rows > 0) row.stored++;
        if (rows > 1) row.duplicated++;
        if (s.id !== undefined && rows === 0) row.lost++;
      }
      return row;
    });
  }

  print(): void {
    const columns = [
      'fault',
      'sent',
      'accepted',
      'stored',
      'lost',
      'duplicated',
      'dead-lettered',
      'exits',
      'accepting again in',
      'recovered in',
    ];
    const table = this.rows.map((row) => [
      row.fault,
      String(row.sent),
      String(row.accepted),
      String(row.stored),
      String(row.lost),
      String(row.duplicated),
      String(row.deadLettered),
      String(row.exits),
      row.accepting,
      row.recovered,
    ]);
    const widths = columns.map((c, i) => Math.max(c.length, ...table.map((cells) => cells[i]!.length)));
    const line = (cells: readonly string[]) =>
      cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
    console.log('');
    console.log(line(columns));
    for (const cells of table) console.log(line(cells));
    console.log('');
    for (const row of this.rows) {
      console.log(`${row.fault}: refused ${listed(row.refused)}; retried ${listed(row.retried)}`);
    }
    const { poisonCount } = this.input;
    const poison = this.poison();
    console.log(
      `poison: ${poisonCount} published, ${poison.once} dead-lettered once, ${poison.never} never, ` +
        `${poison.again} dead-letter publishes again (redelivered after being dead-lettered)`,
    );
    for (const info of this.input.consumers) {
      console.log(
        `consumer ${info.name}: ${info.num_pending} pending, ${info.num_ack_pending} unacknowledged, ` +
          `${info.num_redelivered} redelivered`,
      );
    }
    for (const exit of this.input.exits) {
      console.log(`${exit.service} exited (code ${exit.code}, signal ${exit.signal}) during "${exit.during}":`);
      const errors = exit.stderr.split('\n').filter((l) => /^(\w*Error: |error: |Emitted )/.test(l));
      for (const l of errors.slice(0, 3)) console.log(`    ${l.trim()}`);
    }
    const failures = this.failures();
    console.log('');
    if (failures.length === 0) console.log('PASS');
    else console.log(`FAIL\n  ${failures.join('\n  ')}`);
  }

  private poison(): { once: number; never: number; again: number } {
    let once = 0;
    let again = 0;
    for (const n of this.input.poisonCounts.values()) {
      if (n === 1) once++;
      again += n - 1;
    }
    return { once, never: this.input.poisonCount - this.input.poisonCounts.size, again };
  }

  failures(): string[] {
    const failures: string[] = [];
    for (const row of this.rows) {
      if (row.lost > 0) failures.push(`${row.fault}: ${row.lost} accepted notifications lost`);
      if (row.duplicated > 0) failures.push(`${row.fault}: ${row.duplicated} notifications stored more than once`);
      if (row.refused.size > 0) failures.push(`${row.fault}: calls refused for good: ${listed(row.refused)}`);
      if (row.exits > 0) failures.push(`${row.fault}: ${row.exits} unexpected service exits`);
      if (row.recovered === 'never') failures.push(`${row.fault}: no recovery within the deadline`);
    }
    const lostProbes = this.input.probes.filter((p) => p.id !== undefined && !this.input.stored.has(p.key)).length;
    if (lostProbes > 0) failures.push(`${lostProbes} accepted recovery probes lost`);
    const settling = this.input.exits.filter((exit) => !this.rows.some((row) => row.fault === exit.during));
    if (settling.length > 0) failures.push(`${settling.length} unexpected service exits after the last fault`);
    const poison = this.poison();
    if (poison.never > 0) failures.push(`${poison.never} poison messages never dead-lettered`);
    if (poison.again > 0)
      failures.push(`${poison.again} more dead letters of poison messages, redelivered after being dead-lettered`);
    for (const info of this.input.consumers) {
      if (info.num_ack_pending > 0 || info.num_pending > 0) {
        failures.push(
          `consumer ${info.name}: ${info.num_pending} pending and ${info.num_ack_pending} unacknowledged at the end`,
        );
      }
    }
    return failures;
  }
}
