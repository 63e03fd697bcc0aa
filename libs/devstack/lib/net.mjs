import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** host and port of a URL such as nats://127.0.0.1:4222 or postgres://u@host:5432/db. */
export function endpointOf(url, defaultPort) {
  const parsed = new URL(url);
  // WHATWG URL keeps IPv6 brackets in hostname; net.connect wants them off.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: Number(parsed.port || defaultPort) };
}

/** Only a server on this machine is ours to start. */
export function isLocalHost(host) {
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host) || host.startsWith('127.');
}

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function isListening({ host, port }, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer) => {
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
