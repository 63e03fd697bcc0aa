// @ts-check
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/net.mjs';
import { portVariable } from '../lib/services.mjs';

/** @typedef {import('../lib/services.mjs').ServiceSpec} ServiceSpec */

const launcher = fileURLToPath(new URL('../lib/launcher.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'herald-devstack-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * A stand-in service: listens on GRPC_PORT like the real ones, prints what it
 * was given, and behaves as `onStop`/`crashAfterMs` say. `crashes` limits how
 * many of its runs crash (counted in a file), so a restarted one can stay up.
 * @param {string} name
 * @param {{ onStop?: 'exit' | 'ignore', crashAfterMs?: number, crashes?: number }} [behaviour]
 * @returns {ServiceSpec}
 */
function fakeService(name, { onStop = 'exit', crashAfterMs, crashes = Infinity } = {}) {
  const dist = join(root, 'services', name, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(
    join(dist, 'main.js'),
    `
    import { createServer } from 'node:net';
    import { appendFileSync, readFileSync } from 'node:fs';
    const runs = new URL('./runs', import.meta.url);
    appendFileSync(runs, 'x');
    const run = readFileSync(runs, 'utf8').length;
    const server = createServer().listen(Number(process.env.GRPC_PORT), process.env.GRPC_HOST);
    const { GRPC_PORT, PREFERENCES_ADDR, LOG_LEVEL, HERALD_DEV_MODE } = process.env;
    // The handler first: a stop sent as soon as "up" is read must find it.
    process.on('SIGTERM', () => {
      if (${JSON.stringify(onStop)} === 'ignore') return console.log('ignoring SIGTERM');
      console.log('draining');
      server.close(() => process.exit(0));
    });
    console.log('up', run, GRPC_PORT, PREFERENCES_ADDR, LOG_LEVEL, 'dev', HERALD_DEV_MODE);
    if (${crashAfterMs ?? 'undefined'} !== undefined && run <= ${crashes === Infinity ? 'Infinity' : crashes}) {
      setTimeout(() => { console.error('boom'); process.exit(3); }, ${crashAfterMs ?? 0});
    }
    `,
  );
  return { name, grpcPort: 1, public: false, after: [] };
}

/**
 * Runs the launcher in its own process, as `npm start` would, each service on
 * a free port; `whenOutput(text, child)` sees the output as it grows.
 * @param {ServiceSpec[]} list
 * @param {{ whenOutput?: (output: string, child: import('node:child_process').ChildProcess) => void, env?: Record<string, string>, stopTimeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, output: string, ports: Record<string, string> }>}
 */
async function launch(list, { whenOutput = () => {}, env = {}, stopTimeoutMs = 1_000 } = {}) {
  /** @type {Record<string, string>} */
  const ports = {};
  for (const s of list) ports[portVariable(s.name)] = String(await freePort());
  const options = { root, list, stopTimeoutMs, restartDelayMs: 100, stableAfterMs: 60_000 };
  const script = `
    const { runServices } = await import(${JSON.stringify(launcher)});
    process.exit(await runServices(${JSON.stringify(options)}));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...ports, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  /** @param {Buffer} chunk */
  const collect = (chunk) => {
    output += chunk.toString();
    whenOutput(output, child);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output, ports })));
}

/**
 * Sends `signal` once, when the output first matches `pattern`.
 * @param {RegExp} pattern
 * @param {NodeJS.Signals} signal
 */
function signalWhen(pattern, signal) {
  let sent = false;
  /** @type {(output: string, child: import('node:child_process').ChildProcess) => void} */
  return (output, child) => {
    if (sent || !pattern.test(output)) return;
    sent = true;
    child.kill(signal);
  };
}

describe('runServices', () => {
  it('runs every built service in dev mode with its env, prefixes their output, and exits 0 on SIGINT', async () => {
    const list = [
      fakeService('preferences'),
      fakeService('ingest'),
      { name: 'sms', grpcPort: 1, public: false, after: [] },
    ];
    const { code, output, ports } = await launch(list, {
      env: { LOG_LEVEL: 'debug', GRPC_PORT: '1', HERALD_DEV_MODE: 'false' },
      whenOutput: signalWhen(/Herald is up/, 'SIGINT'),
    });
    assert.match(output, /skipping sms: services\/sms\/dist\/main.js is not built/);
    assert.match(output, /GRPC_PORT is ignored: every service needs its own, e.g. PREFERENCES_GRPC_PORT/);
    assert.match(
      output,
      new RegExp(`\\[ingest\\] up 1 ${ports.INGEST_GRPC_PORT} 127.0.0.1:${ports.PREFERENCES_GRPC_PORT} debug dev true`),
    );
    assert.match(output, /Herald is up, in dev mode \(HERALD_DEV_MODE=true/);
    assert.match(output, new RegExp(`preferences  gRPC 127.0.0.1:${ports.PREFERENCES_GRPC_PORT}`));
    assert.match(output, /\[preferences\] draining/);
    assert.match(output, /\[ingest\] draining/);
    assert.equal(code, 0);
  });

  it('restarts a service that dies on its own, with a growing delay, while the others keep running', async () => {
    const list = [fakeService('steady'), fakeService('fragile', { crashAfterMs: 100, crashes: 3 })];
    const { code, output } = await launch(list, { whenOutput: signalWhen(/\[fragile\] up 4 /, 'SIGINT') });
    assert.match(output, /fragile exited on its own \(3\): restarting it in 0.1 s/);
    assert.match(output, /fragile exited on its own \(3\): restarting it in 0.2 s/);
    assert.match(output, /fragile exited on its own \(3\): restarting it in 0.4 s/);
    assert.equal(output.match(/\[steady\] up/g)?.length, 1, 'steady ran once, untouched');
    assert.doesNotMatch(output, /\[steady\] draining[\s\S]*\[fragile\] up 4/, 'steady ran until the stop');
    assert.match(output, /\[steady\] draining/);
    assert.match(output, /\[fragile\] draining/);
    assert.equal(code, 0);
  });

  it('kills a service that does not stop in time, and exits 1', async () => {
    const list = [fakeService('stubborn', { onStop: 'ignore' })];
    const { code, output } = await launch(list, { whenOutput: signalWhen(/Herald is up/, 'SIGTERM') });
    assert.match(output, /\[stubborn\] ignoring SIGTERM/);
    assert.match(output, /stubborn did not stop within 1 s: killing it/);
    assert.equal(code, 1);
  });

  it('exits 1 when nothing is built', async () => {
    const { code, output } = await launch([{ name: 'gateway', httpPort: 1, public: true, after: [] }]);
    assert.match(output, /no service is built/);
    assert.equal(code, 1);
  });
});
