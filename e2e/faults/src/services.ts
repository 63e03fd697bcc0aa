import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { exitOf, startServiceProcess, untilServing } from '@herald/testing';

export type ServiceName = 'preferences' | 'interface' | 'ingest';

/** A service that exited without being told to: always a failure of the suite. */
export interface UnexpectedExit {
  service: ServiceName;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the suite was doing at the time. */
  during: string;
  /** The last lines it wrote to stderr. */
  stderr: string;
}

interface Running {
  child: ChildProcess;
  /** Set when the suite itself kills or stops it. */
  expected: boolean;
  exited: Promise<unknown>;
}

/**
 * The built services as separate processes, each on a fixed port so clients
 * reconnect to a restarted one. A service that exits unbidden is recorded and
 * started again (with backoff), the way a supervisor would, so the run goes on.
 */
export class Services {
  readonly exits: UnexpectedExit[] = [];
  /** What the suite is doing now: named in the record of an exit. */
  during = 'start';
  private readonly running = new Map<ServiceName, Running>();
  private readonly logs = new Map<ServiceName, WriteStream>();
  private readonly tails = new Map<ServiceName, string>();
  private stopping = false;

  constructor(
    private readonly env: Readonly<Record<ServiceName, Record<string, string>>>,
    readonly ports: Readonly<Record<ServiceName, number>>,
    private readonly logDir: string,
  ) {}

  address(service: ServiceName): string {
    return `127.0.0.1:${this.ports[service]}`;
  }

  start(service: ServiceName, restarts = 0): void {
    const child = startServiceProcess(service, {
      env: { ...this.env[service], GRPC_PORT: String(this.ports[service]), LOG_LEVEL: 'warn' },
    });
    let log = this.logs.get(service);
    if (!log) {
      log = createWriteStream(join(this.logDir, `${service}.log`), { flags: 'a' });
      this.logs.set(service, log);
    }
    const sink = log;
    // Each run's own stderr: a crash prints its error first, then the error's fields (a pg error has many).
    this.tails.set(service, '');
    child.stderr?.on('data', (chunk: string) => {
      sink.write(chunk);
      this.tails.set(service, ((this.tails.get(service) ?? '') + chunk).slice(-16_000));
    });
    const entry: Running = { child, expected: false, exited: exitOf(child) };
    this.running.set(service, entry);
    void entry.exited.then(() => {
      if (entry.expected || this.stopping) return;
      this.exits.push({
        service,
        code: child.exitCode,
        signal: child.signalCode,
        during: this.during,
        stderr: this.tails.get(service) ?? '',
      });
      // A supervisor's backoff: 1 s, 2 s, 4 s, at most 5 s.
      const again = () => {
        if (!this.stopping) this.start(service, restarts + 1);
      };
      setTimeout(again, Math.min(5_000, 1_000 * 2 ** restarts)).unref();
    });
  }

  async serving(service: ServiceName, timeoutMs = 60_000): Promise<void> {
    await untilServing(this.address(service), timeoutMs);
  }

  /** kill -9, then start it again at once. */
  async kill9(service: ServiceName): Promise<void> {
    const entry = this.running.get(service);
    if (!entry) throw new Error(`${service} is not running`);
    entry.expected = true;
    entry.child.kill('SIGKILL');
    await entry.exited;
    this.start(service);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const entry of all) {
      entry.expected = true;
      entry.child.kill('SIGTERM');
    }
    await Promise.all(all.map((entry) => entry.exited));
    await Promise.all([...this.logs.values()].map((log) => new Promise((resolve) => log.end(resolve))));
  }
}
