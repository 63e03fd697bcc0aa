import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { grpcPorts, serviceEnv } from '../lib/services.mjs';

const launcher = fileURLToPath(new URL('../lib/launcher.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'herald-devstack-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in service: listens on GRPC_PORT like the real ones, and behaves as `onStop`/`crashAfterMs` say. */
function fakeService(name, { onStop = 'exit', crashAfterMs } = {}) {
  const dist = join(root, 'services', name, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(
    join(dist, 'main.js'),
    `
    import { createServer } from 'node:net';
    const server = createServer().listen(Number(process.env.GRPC_PORT), process.env.GRPC_HOST);
    console.log('up', process.env.GRPC_PORT, process.env.PREFERENCES_ADDR, process.env.LOG_LEVEL);
    process.on('SIGTERM', () => {
      if (${JSON.stringify(onStop)} === 'ignore') return console.log('ignoring SIGTERM');
      console.log('draining');
      server.close(() => process.exit(0));
    });
    ${crashAfterMs ? `setTimeout(() => { console.error('boom'); process.exit(3); }, ${crashAfterMs});` : ''}
    `,
  );
  return { name, grpcPort: 0 };
}

let nextPort = 40_000 + (process.pid % 10_000);

/** Runs the launcher in its own process, as `npm start` would; `whenUp` runs once the banner is out. */
function launch(list, { whenUp = () => {}, env = {}, stopTimeoutMs = 1_000 } = {}) {
  const ports = Object.fromEntries(list.map((s) => [`${s.name.toUpperCase()}_GRPC_PORT`, String(nextPort++)]));
  const script = `
    const { runServices } = await import(${JSON.stringify(launcher)});
    process.exit(await runServices({ root: ${JSON.stringify(root)}, list: ${JSON.stringify(list)}, stopTimeoutMs: ${stopTimeoutMs} }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...ports, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk) => {
    const before = output;
    output += chunk;
    if (!before.includes('Herald is up') && output.includes('Herald is up')) whenUp(child);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output, ports })));
}

describe('runServices', () => {
  it('runs every built service with its env, prefixes their output, and exits 0 on SIGINT', async () => {
    const list = [fakeService('preferences'), fakeService('ingest'), { name: 'email', grpcPort: 0 }];
    const { code, output, ports } = await launch(list, {
      env: { LOG_LEVEL: 'debug', GRPC_PORT: '1' },
      whenUp: (child) => child.kill('SIGINT'),
    });
    assert.match(output, /skipping email: services\/email\/dist\/main.js is not built/);
    assert.match(output, /GRPC_PORT is ignored: every service needs its own, e.g. PREFERENCES_GRPC_PORT/);
    assert.match(
      output,
      new RegExp(`\\[ingest\\] up ${ports.INGEST_GRPC_PORT} 127.0.0.1:${ports.PREFERENCES_GRPC_PORT} debug`),
    );
    assert.match(output, new RegExp(`preferences  gRPC 127.0.0.1:${ports.PREFERENCES_GRPC_PORT}`));
    assert.match(output, /\[preferences\] draining/);
    assert.match(output, /\[ingest\] draining/);
    assert.equal(code, 0);
  });

  it('stops the others and exits 1 when a service dies on its own', async () => {
    const list = [fakeService('steady'), fakeService('fragile', { crashAfterMs: 300 })];
    const { code, output } = await launch(list);
    assert.match(output, /\[fragile\] boom/);
    assert.match(output, /fragile exited on its own \(3\): stopping the others/);
    assert.match(output, /\[steady\] draining/);
    assert.equal(code, 1);
  });

  it('kills a service that does not stop in time, and exits 1', async () => {
    const list = [fakeService('stubborn', { onStop: 'ignore' })];
    const { code, output } = await launch(list, { whenUp: (child) => child.kill('SIGTERM') });
    assert.match(output, /\[stubborn\] ignoring SIGTERM/);
    assert.match(output, /stubborn did not stop within 1 s: killing it/);
    assert.equal(code, 1);
  });

  it('exits 1 when nothing is built', async () => {
    const { code, output } = await launch([{ name: 'gateway', grpcPort: 0 }]);
    assert.match(output, /no service is built/);
    assert.equal(code, 1);
  });
});

describe('serviceEnv', () => {
  it('gives each service its own port and lets the caller override the rest', () => {
    const env = { NATS_URL: 'nats://10.0.0.5:4222', PREFERENCES_GRPC_PORT: '6000', GRPC_PORT: '1' };
    const ports = grpcPorts(undefined, env);
    assert.deepEqual(ports, { preferences: 6000, interface: 50053, ingest: 50051, email: 50055 });
    const ingest = serviceEnv('ingest', ports, env);
    assert.equal(ingest.GRPC_PORT, '50051');
    assert.equal(ingest.PREFERENCES_ADDR, '127.0.0.1:6000');
    assert.equal(ingest.NATS_URL, 'nats://10.0.0.5:4222');
    assert.equal(ingest.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres');
    assert.equal(ingest.GRPC_HOST, '127.0.0.1');
    assert.equal(ingest.LOG_LEVEL, 'info');
    assert.equal(ingest.HERALD_NAMESPACE, '');
    assert.equal(ingest.HERALD_DEV_MODE, 'true');
  });
});
