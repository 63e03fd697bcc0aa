// @ts-check
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {{ host: string, port: number }} Endpoint
 */

/**
 * host and port of a URL such as nats://127.0.0.1:4222 or postgres://u@host:5432/db.
 * @param {string} url
 * @param {number} defaultPort
 * @returns {Endpoint}
 */
export function endpointOf(url, defaultPort) {
  const parsed = new URL(url);
  // WHATWG URL keeps IPv6 brackets in hostname; net.connect wants them off.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: Number(parsed.port || defaultPort) };
}

/**
 * Only a server on this machine is ours to start.
 * @param {string} host
 */
export function isLocalHost(host) {
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host) || host.startsWith('127.');
}

/**
 * True when something accepts TCP connections on host:port within timeoutMs.
 * @param {Endpoint} endpoint
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
export function isListening({ host, port }, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (/** @type {boolean} */ answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves true once host:port answers, false at the deadline or as soon as
 * `gaveUp()` says the process meant to listen there is gone.
 * @param {Endpoint} endpoint
 * @param {{ timeoutMs: number, gaveUp?: () => boolean }} options
 */
export async function waitForPort(endpoint, { timeoutMs, gaveUp = () => false }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(endpoint, 500)) return true;
    if (gaveUp()) return false;
    await sleep(200);
  }
  return false;
}

/**
 * A TCP port free on 127.0.0.1 right now.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
