// @ts-check
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForPort } from './net.mjs';
import { say } from './process.mjs';
import { ownPortVariables, portVariable, readServices, serviceEnv, servicePorts, stackUrls } from './services.mjs';

/** @typedef {import('./services.mjs').ServiceSpec} ServiceSpec */
/** @typedef {import('./services.mjs').Ports} Ports */

/**
 * One run of a service's process.
 * @typedef {object} Child
 * @property {import('node:child_process').ChildProcess} process
 * @property {boolean} done
 * @property {number | string | undefined} exitCode the code, or the signal that ended it
 * @property {Promise<void>} exited resolves once its output is flushed
 */

/**
 * Runs every built service as a child and keeps it running until a stop
 * signal: a service that exits on its own is started again after a backoff
 * (doubling from `restartDelayMs` up to `maxRestartDelayMs`; reset once a run
 * has lasted `stableAfterMs`), while the others keep running. Resolves to the
 * exit code once all have stopped: 0 when each stopped cleanly on the signal,
 * 1 when one had to be killed or exited non-zero, or when nothing is built.
 * @param {object} options
 * @param {string} options.root
 * @param {ServiceSpec[]} [options.list]
 * @param {Record<string, string | undefined>} [options.env]
 * @param {number} [options.startTimeoutMs] a service migrates its schema before it opens its port
 * @param {number} [options.stopTimeoutMs] draining in-flight messages may take a while; past this the service is killed
 * @param {number} [options.restartDelayMs]
 * @param {number} [options.maxRestartDelayMs]
 * @param {number} [options.stableAfterMs]
 * @returns {Promise<number>}
 */
export async function runServices({
  root,
  list = readServices(root),
  env = process.env,
  startTimeoutMs = 30_000,
  stopTimeoutMs = 15_000,
  restartDelayMs = 1_000,
  maxRestartDelayMs = 30_000,
  stableAfterMs = 60_000,
}) {
  const built = list.filter((s) => {
    const exists = existsSync(mainOf(root, s.name));
    if (!exists) say(`skipping ${s.name}: services/${s.name}/dist/main.js is not built`);
    return exists;
  });
  if (built.length === 0) {
    say('no service is built: nothing to run');
    return 1;
  }

  for (const variable of ownPortVariables) {
    if (env[variable])
      say(`${variable} is ignored: every service needs its own, e.g. ${portVariable(built[0].name, variable)}`);
  }
  const ports = servicePorts(list, env);
  /** @type {Map<string, Child>} the current run of each service */
  const running = new Map();
  let stopping = false;
  /** @type {() => void} */
  let stopRequested = () => {};
  const stopSignal = new Promise((resolve) => (stopRequested = () => resolve(undefined)));
  let clean = true;

  /** @param {NodeJS.Signals} signal */
  const onSignal = (signal) => {
    if (stopping) return; // npm forwards the terminal's Ctrl-C: the same stop may arrive twice
    stopping = true;
    say(`${signal}: stopping every service`);
    stopRequested();
  };
  // The children have their own process group (so a Ctrl-C reaches them once, from us);
  // should we crash, this keeps them from outliving us.
  const onExit = () => [...running.values()].filter((c) => !c.done).forEach((c) => c.process.kill('SIGTERM'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);

  /**
   * Starts `service` and starts it again whenever it exits before the stop.
   * @param {ServiceSpec} service
   * @param {() => void} onFirstRun called once the first run is up, or has given up
   */
  const supervise = async (service, onFirstRun) => {
    const childEnv = serviceEnv(service.name, ports, env);
    const endpoint = readyEndpoint(service, ports[service.name], childEnv);
    let failures = 0;
    let first = true;
    while (!stopping) {
      const startedAt = Date.now();
      const child = startService(root, service.name, childEnv);
      running.set(service.name, child);
      const up = await waitForPort(endpoint, { timeoutMs: startTimeoutMs, gaveUp: () => child.done || stopping });
      if (!up && !child.done && !stopping) {
        say(`${service.name} did not open port ${endpoint.port} within ${startTimeoutMs / 1000} s`);
      }
      if (first) onFirstRun();
      first = false;
      await Promise.race([child.exited, stopSignal]);
      if (stopping) return;
      failures = Date.now() - startedAt >= stableAfterMs ? 1 : failures + 1;
      const delayMs = Math.min(maxRestartDelayMs, restartDelayMs * 2 ** (failures - 1));
      say(`${service.name} exited on its own (${child.exitCode}): restarting it in ${delayMs / 1000} s`);
      await Promise.race([sleep(delayMs), stopSignal]);
    }
  };

  /** SIGTERM to every running child, SIGKILL to those still there after stopTimeoutMs. */
  const stopAll = async () => {
    const alive = [...running.entries()].filter(([, c]) => !c.done);
    for (const [, child] of alive) child.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const [name, child] of alive.filter(([, c]) => !c.done)) {
        say(`${name} did not stop within ${stopTimeoutMs / 1000} s: killing it`);
        child.process.kill('SIGKILL');
      }
    }, stopTimeoutMs);
    await Promise.all(alive.map(([, c]) => c.exited));
    clearTimeout(killer);
    clean = alive.every(([, c]) => c.exitCode === 0);
  };

  try {
    /** @type {Promise<void>[]} */
    const supervisors = [];
    // In start order: a service's first run is up before the next one starts.
    for (const service of built) {
      if (stopping) break;
      await new Promise((resolve) => {
        const firstRunDone = () => resolve(undefined);
        supervisors.push(supervise(service, firstRunDone).finally(firstRunDone));
      });
    }
    if (!stopping) printBanner(built, ports, env);
    await stopSignal;
    await stopAll();
    await Promise.all(supervisors);
    return clean ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

/**
 * @param {string} root
 * @param {string} name
 */
function mainOf(root, name) {
  return join(root, 'services', name, 'dist', 'main.js');
}

/**
 * Where a service answers once it is up: its gRPC port, else its HTTP port.
 * @param {ServiceSpec} service
 * @param {Ports | undefined} ports
 * @param {Record<string, string>} env
 */
function readyEndpoint(service, ports, env) {
  return {
    host: probeHost(env.GRPC_HOST),
    port: Number(ports?.grpc ?? ports?.http ?? service.grpcPort ?? service.httpPort),
  };
}

/**
 * A child whose every output line is prefixed `[name] `.
 * @param {string} root
 * @param {string} name
 * @param {Record<string, string>} env
 * @returns {Child}
 */
function startService(root, name, env) {
  const process_ = spawn(process.execPath, [mainOf(root, name)], {
    cwd: join(root, 'services', name),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  /** @type {Child} */
  const child = { process: process_, done: false, exitCode: undefined, exited: Promise.resolve() };
  /** @param {import('node:stream').Readable} stream @param {NodeJS.WriteStream} sink */
  const prefix = (stream, sink) =>
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => sink.write(`[${name}] ${line}\n`));
  if (process_.stdout) prefix(process_.stdout, process.stdout);
  if (process_.stderr) prefix(process_.stderr, process.stderr);
  child.exited = new Promise((resolve) => {
    /** @param {number | string} exitCode */
    const settle = (exitCode) => {
      if (child.done) return;
      Object.assign(child, { done: true, exitCode });
      resolve();
    };
    process_.once('error', (err) => {
      say(`cannot start ${name}: ${err.message}`);
      settle(1);
    });
    process_.once('close', (code, signal) => settle(code ?? signal ?? 1));
  });
  return child;
}

/**
 * A server bound to every interface is reached on loopback.
 * @param {string | undefined} host
 */
function probeHost(host) {
  return !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/**
 * @param {ServiceSpec[]} started
 * @param {Record<string, Ports>} ports
 * @param {Record<string, string | undefined>} env
 */
function printBanner(started, ports, env) {
  const { natsUrl, databaseUrl } = stackUrls(env);
  const host = serviceEnv(started[0].name, ports, env).GRPC_HOST;
  const width = Math.max(...started.map((s) => s.name.length));
  const gateway = started.find((s) => s.public && s.httpPort !== undefined);
  const gatewayHttp = gateway && ports[gateway.name]?.http;
  const gatewayUrl = gatewayHttp === undefined ? undefined : `http://${host}:${gatewayHttp}`;
  /** @param {ServiceSpec} s */
  const doors = (s) => {
    const { grpc, http, metrics } = ports[s.name] ?? {};
    return [
      grpc !== undefined && `gRPC ${host}:${grpc}`,
      http !== undefined && `HTTP ${host}:${http}`,
      metrics !== undefined && `metrics :${metrics}`,
    ]
      .filter(Boolean)
      .join('  ');
  };
  console.log(
    [
      '',
      'Herald is up, in dev mode (HERALD_DEV_MODE=true: admin calls need no token; never expose these ports).',
      ...started.map((s) => `  ${s.name.padEnd(width)}  ${doors(s)}`),
      `  NATS ${natsUrl}   PostgreSQL ${databaseUrl.replace(/:[^:/@]*@/, ':***@')}`,
      ...(gatewayUrl
        ? [
            '',
            `API docs ${gatewayUrl}/docs. Send a first notification (in another terminal):`,
            '  export HERALD_API_KEY=$(npm run -s herald -- setup-demo --account demo --user alice | node -p "JSON.parse(require(\'fs\').readFileSync(0)).apiKey")',
            `  curl -s -X POST ${gatewayUrl}/api/v1/notifications/add_error -H "Authorization: Bearer $HERALD_API_KEY" \\`,
            `    -H 'Content-Type: application/json' -d '{"text": "Failed to set the task! Contact not found!", "users": ["alice"]}'`,
          ]
        : []),
      'A service that exits is started again. Ctrl-C stops every service.',
      '',
    ].join('\n'),
  );
}
