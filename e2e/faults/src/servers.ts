import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, exitOf } from '@herald/testing';

const run = promisify(execFile);

/** True when 127.0.0.1:port accepts a TCP connection. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function untilListening(port: number, what: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      if (!(await listening(port))) throw new Error(`${what} is not listening on 127.0.0.1:${port}`);
    },
    timeoutMs,
    100,
  );
}

/**
 * A nats-server with JetStream of the suite's own: its port, its store. The
 * machine's shared server is never touched.
 */
export class PrivateNats {
  private server: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((path) => existsSync(path));
    if (!bin) throw new Error('nats-server is not installed: apt-get install nats-server');
    mkdirSync(join(this.dir, 'store'), { recursive: true });
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'store')];
    this.server = spawn(bin, [...args, '-l', join(this.dir, 'nats.log')], { stdio: 'ignore' });
    await untilListening(this.port, 'nats-server');
  }

  /** SIGTERM, as an operator's restart does; JetStream keeps its store. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.kill('SIGTERM');
    await exitOf(this.server);
    this.server = undefined;
  }
}

/** The newest PostgreSQL installed the Debian way (off PATH). */
function postgresBin(tool: string): string {
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin/${tool}`).find((path) => existsSync(path));
  if (!found) throw new Error(`PostgreSQL's ${tool} is not installed: apt-get install postgresql`);
  return found;
}

/**
 * A PostgreSQL cluster of the suite's own, trust auth on 127.0.0.1:port. As
 * root it runs as the postgres user (PostgreSQL refuses root), who owns its folder.
 */
export class PrivatePostgres {
  private readonly dataDir: string;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    this.dataDir = join(dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async as(tool: string, args: string[]): Promise<void> {
    const bin = postgresBin(tool);
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', bin, ...args]);
    else await run(bin, args);
  }

  async init(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (process.getuid?.() === 0) {
      const { stdout: uid } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(uid), Number(gid));
      chmodSync(join(this.dir, '..'), 0o755);
    }
    await this.as('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
    // A throw-away cluster: fsync buys nothing here, and the machine's two cores are shared.
    appendFileSync(
      join(this.dataDir, 'postgresql.conf'),
      `\nunix_socket_directories = '${this.dir}'\nfsync = off\nmax_connections = 200\n`,
    );
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -h 127.0.0.1`;
    await this.as('pg_ctl', [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'postgres.log'),
      '-o',
      options,
    ]);
  }

  /** A fast shutdown: every connection is cut, as in a failover or a crash of the server. */
  async stop(): Promise<void> {
    await this.as('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', this.dataDir]);
  }
}
