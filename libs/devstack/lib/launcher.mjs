import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitForPort } from './net.mjs';
import { say } from './process.mjs';
import { portVariable, serviceEnv, servicePorts, services as allServices, stackUrls } from './services.mjs';

/**
 * Runs every built service as a child until a stop signal or until one of
 * them dies. Resolves to the exit code: 0 when all stopped cleanly on a
 * signal, 1 when one died on its own, did not come up, or exited non-zero.
 */
export async function runServices({
  root,
  list = allServices,
  env = process.env,
  // A service migrates its schema before it opens its port.
  startTimeoutMs = 30_000,
  // Draining in-flight messages may take a while; past this the service is killed.
  stopTimeoutMs = 15_000,
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

  if (env.GRPC_PORT) say(`GRPC_PORT is ignored: every service needs its own, e.g. ${portVariable(built[0].name)}`);
  const ports = servicePorts(list, env);
  const children = [];
  let stopping = false;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));

  const stopAll = async (exitCode) => {
    if (stopping) return;
    stopping = true;
    const alive = children.filter((c) => !c.done);
    for (const child of alive) child.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const child of alive.filter((c) => !c.done)) {
        say(`${child.name} did not stop within ${stopTimeoutMs / 1000} s: killing it`);
        child.process.kill('SIGKILL');
      }
    }, stopTimeoutMs);
    await Promise.all(children.map((c) => c.exited));
    clearTimeout(killer);
    finish(exitCode === 0 && children.every((c) => c.exitCode === 0) ? 0 : 1);
  };

  const onSignal = (signal) => {
    if (stopping) return; // npm forwards the terminal's Ctrl-C: the same stop may arrive twice
    say(`${signal}: stopping every service`);
    void stopAll(0);
  };
  // The children have their own process group (so a Ctrl-C reaches them once, from us);
  // should we crash, this keeps them from outliving us.
  const onExit = () => children.filter((c) => !c.done).forEach((c) => c.process.kill('SIGTERM'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);

  try {
    for (const service of built) {
      if (stopping) break;
      const childEnv = serviceEnv(service.name, ports, env);
      const child = startService(root, service.name, childEnv);
      children.push(child);
      void child.exited.then(() => {
        if (stopping) return;
        say(`${child.name} exited on its own (${child.exitCode}): stopping the others`);
        void stopAll(1);
      });
      const http = service.httpPort !== undefined;
      const endpoint = { host: probeHost(http ? childEnv.HTTP_HOST : childEnv.GRPC_HOST), port: ports[service.name] };
      const up = await waitForPort(endpoint, { timeoutMs: startTimeoutMs, gaveUp: () => stopping });
      if (!up && !stopping) {
        say(
          `${service.name} did not open ${http ? 'HTTP' : 'gRPC'} port ${endpoint.port} within ${startTimeoutMs / 1000} s`,
        );
        void stopAll(1);
      }
    }
    if (!stopping) printBanner(built, ports, env);
    return await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

function mainOf(root, name) {
  return join(root, 'services', name, 'dist', 'main.js');
}

/** A child whose every output line is prefixed `[name] `; `exited` resolves once its output is flushed. */
function startService(root, name, env) {
  const child = { name, done: false, exitCode: undefined };
  child.process = spawn(process.execPath, [mainOf(root, name)], {
    cwd: join(root, 'services', name),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (stream, sink) =>
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => sink.write(`[${name}] ${line}\n`));
  prefix(child.process.stdout, process.stdout);
  prefix(child.process.stderr, process.stderr);
  child.exited = new Promise((resolve) => {
    const settle = (exitCode) => {
      if (child.done) return;
      Object.assign(child, { done: true, exitCode });
      resolve();
    };
    child.process.once('error', (err) => {
      say(`cannot start ${name}: ${err.message}`);
      settle(1);
    });
    child.process.once('close', (code, signal) => settle(code ?? signal));
  });
  return child;
}

/** A server bound to every interface is reached on loopback. */
function probeHost(host) {
  return !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

function printBanner(started, ports, env) {
  const { natsUrl, databaseUrl } = stackUrls(env);
  const host = serviceEnv(started[0].name, ports, env).GRPC_HOST;
  const width = Math.max(...started.map((s) => s.name.length));
  const gateway = started.find((s) => s.httpPort !== undefined);
  const url = gateway && `http://${probeHost(env.HTTP_HOST)}:${ports[gateway.name]}`;
  console.log(
    [
      '',
      'Herald is up.',
      ...started.map((s) =>
        s.httpPort === undefined
          ? `  ${s.name.padEnd(width)}  gRPC ${host}:${ports[s.name]}`
          : `  ${s.name.padEnd(width)}  HTTP ${url}   API docs ${url}/docs`,
      ),
      `  NATS ${natsUrl}   PostgreSQL ${databaseUrl.replace(/:[^:/@]*@/, ':***@')}`,
      ...(url
        ? [
            '',
            'Send a first notification (in another terminal):',
            '  export HERALD_API_KEY=$(npm run -s herald -- setup-demo --account demo --user alice | node -p "JSON.parse(require(\'fs\').readFileSync(0)).apiKey")',
            `  curl -s -X POST ${url}/api/v1/notifications/add_error -H "Authorization: Bearer $HERALD_API_KEY" \\`,
            `    -H 'Content-Type: application/json' -d '{"text": "Failed to set the task! Contact not found!", "users": ["alice"]}'`,
          ]
        : []),
      'Ctrl-C stops every service.',
      '',
    ].join('\n'),
  );
}
