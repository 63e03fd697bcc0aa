import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { testEnv } from './testing.js';

/** The repository root, from libs/testing/src or libs/testing/dist alike. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcessOptions {
  /** On top of NATS_URL, DATABASE_URL and LOG_LEVEL=warn. */
  env?: Record<string, string>;
  /** Flags for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** `pipe` to read it (as UTF-8), `inherit` to show it. */
  stderr?: 'pipe' | 'inherit';
  /** Where the JSON logs go: `pipe` to read them (as UTF-8); ignored by default. */
  stdout?: 'pipe' | 'ignore';
}

/** Runs a built service (`services/<name>/dist/main.js`) as its own process, as `npm start` does. */
export function startServiceProcess(service: string, options: ServiceProcessOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), `services/${service}/dist/main.js`], {
    cwd: repoRoot,
    env: {
      PATH: process.env['PATH'] ?? '',
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', options.stdout ?? 'ignore', options.stderr ?? 'pipe'],
  });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  return child;
}

/** How a process ended, once it has. */
export async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}
