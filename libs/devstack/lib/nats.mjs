// @ts-check
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { endpointOf, isListening, isLocalHost, waitForPort } from './net.mjs';
import { findExecutable, heraldDir, say, SetupError } from './process.mjs';

export const defaultNatsUrl = 'nats://127.0.0.1:4222';

/**
 * Makes sure a NATS server with JetStream answers at `url`, starting a local
 * one (detached, outliving us) when none does. `dir` holds its store and log.
 * Resolves to the pid of the server it started, or null when one was up.
 */
export async function ensureNats(url = defaultNatsUrl, { dir = heraldDir, timeoutMs = 20_000 } = {}) {
  const endpoint = endpointOf(url, 4222);
  const where = `${endpoint.host}:${endpoint.port}`;
  if (await isListening(endpoint)) return null;
  if (!isLocalHost(endpoint.host)) throw new SetupError(`NATS at ${where} is not reachable (NATS_URL=${url})`);

  const bin = findExecutable('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server']);
  if (!bin)
    throw new SetupError(`NATS is not running at ${where} and nats-server is missing: apt-get install nats-server`);

  const storeDir = join(dir, 'nats');
  const logFile = join(dir, 'nats.log');
  mkdirSync(storeDir, { recursive: true });
  const args = ['-a', endpoint.host, '-p', String(endpoint.port), '-js', '-sd', storeDir, '-l', logFile];
  const server = spawn(bin, args, { detached: true, stdio: 'ignore' });
  let exited = false;
  server.once('exit', () => (exited = true));
  server.once('error', () => (exited = true));
  server.unref();

  if (!(await waitForPort(endpoint, { timeoutMs, gaveUp: () => exited }))) {
    throw new SetupError(`nats-server did not come up on ${where} within ${timeoutMs / 1000} s: see ${logFile}`);
  }
  say(`started nats-server (pid ${server.pid}) on ${where}: store ${storeDir}, log ${logFile}`);
  return server.pid;
}
