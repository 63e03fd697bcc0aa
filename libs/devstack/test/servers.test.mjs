// @ts-check
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, isListening } from '../lib/net.mjs';
import { ensureNats } from '../lib/nats.mjs';
import { ensurePostgres, postgresTool } from '../lib/postgres.mjs';
import { findExecutable } from '../lib/process.mjs';

/** A scratch folder the postgres user can enter (mkdtemp makes it 0700). */
function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'herald-devstack-'));
  chmodSync(dir, 0o755);
  return dir;
}

const natsServer = findExecutable('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server']);
const pgCtl = postgresTool('pg_ctl');

describe('ensureNats', { skip: !natsServer && 'nats-server is not installed' }, () => {
  it('starts a JetStream server where none answers, and never a second one', async () => {
    const dir = scratchDir();
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const pid = await ensureNats(url, { dir });
    try {
      assert.ok(pid !== null && pid !== undefined && pid > 0);
      assert.ok(await isListening({ host: '127.0.0.1', port }));
      assert.ok(existsSync(join(dir, 'nats', 'jetstream')));
      assert.equal(await ensureNats(url, { dir }), null);
    } finally {
      if (pid) process.kill(pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ensurePostgres', { skip: !pgCtl && 'PostgreSQL is not installed' }, () => {
  it('creates and starts a trust-auth cluster where none answers, and never a second one', async () => {
    const dir = scratchDir();
    const port = await freePort();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const dataDir = await ensurePostgres(url, { dir });
    try {
      assert.equal(dataDir, join(dir, 'pg', 'data'));
      assert.ok(await isListening({ host: '127.0.0.1', port }));
      assert.equal(await ensurePostgres(url, { dir }), null);
    } finally {
      const stop = [String(pgCtl), 'stop', '-m', 'fast', '-D', String(dataDir)];
      const asRoot = process.getuid?.() === 0;
      spawnSync(asRoot ? 'runuser' : stop[0], asRoot ? ['-u', 'postgres', '--', ...stop] : stop.slice(1));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
