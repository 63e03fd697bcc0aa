import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { Bus } from '@herald/bus';
import {
  dropSchemas,
  eventually,
  exitOf,
  freePort,
  repoRoot,
  startServiceProcess,
  testLogger,
  uniqueName,
  untilServing,
} from '@herald/testing';
import { findExecutable } from '../../libs/devstack/lib/process.mjs';
import { readServices } from '../../libs/devstack/lib/services.mjs';

const natsServer = findExecutable('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server']);

/** NATS_<SERVICE>_PASSWORD, which deploy/nats/nats.conf reads for each user. */
const passwordVariable = (service: string) => `NATS_${service.toUpperCase().replaceAll('-', '_')}_PASSWORD`;

const store = mkdtempSync(join(tmpdir(), 'herald-nats-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

/** The server configuration of compose, as it is. */
function composeConfig(): string {
  return join(repoRoot, 'deploy/nats/nats.conf');
}

/**
 * The users the Kubernetes chart values give the NATS cluster, as the chart
 * renders them: JSON (which a NATS configuration accepts), with each
 * `<< $VAR >>` a bare variable reference.
 */
function kubernetesConfig(): string {
  const values = parse(readFileSync(join(repoRoot, 'deploy/k8s/nats-values.yaml'), 'utf8')) as {
    config: { merge: { authorization: unknown } };
  };
  const authorization = JSON.stringify(values.config.merge.authorization).replace(/"<< (\$\w+) >>"/g, '$1');
  const file = join(store, 'kubernetes.conf');
  writeFileSync(file, `authorization: ${authorization}\n`);
  return file;
}

/**
 * The NATS users of each deployment, on a nats-server of this spec's own (the
 * one of this machine runs open): every service has its user, runs with it,
 * and may publish only what it owns.
 */
describe.each([
  ['deploy/nats/nats.conf (compose)', composeConfig, true],
  ['deploy/k8s/nats-values.yaml (Kubernetes)', kubernetesConfig, false],
])('the NATS users of %s', (_, configFile, runServices) => {
  const services = readServices(repoRoot);
  // A leading letter: nats-server parses a variable's value, and one that starts with a digit may read as a number.
  const passwords = Object.fromEntries(services.map((s) => [s.name, `k${randomBytes(16).toString('hex')}`]));
  const buses: Bus[] = [];
  let server: ChildProcess;
  let url: string;

  /** A connection as `user`, and the subjects the server refused it to publish. */
  const connectAs = async (user: string, password = passwords[user]) => {
    const bus = await Bus.connect({
      url,
      namespace: '',
      name: `spec-${user}`,
      logger: testLogger(),
      credentials: { user, password },
    });
    buses.push(bus);
    const refused: string[] = [];
    void (async () => {
      for await (const status of bus.nc.status()) {
        const error = status.type === 'error' ? (status.error as Error & { subject?: string }) : undefined;
        if (error?.name === 'PermissionViolationError' && error.subject) refused.push(error.subject);
      }
    })();
    /** Whether the server lets `subject` through: a refusal arrives before the reply to the flush's ping. */
    const mayPublish = async (subject: string) => {
      bus.nc.publish(subject, new Uint8Array());
      await bus.nc.flush();
      await new Promise((resolve) => setImmediate(resolve)); // lets the status loop take what arrived
      return !refused.includes(subject);
    };
    return { bus, mayPublish };
  };

  beforeAll(async () => {
    if (!natsServer) throw new Error('nats-server is not installed: npm test installs it');
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    const env = Object.fromEntries(services.map((s) => [passwordVariable(s.name), passwords[s.name] ?? '']));
    const jetstreamDir = mkdtempSync(join(store, 'js-'));
    const args = ['-c', configFile(), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', jetstreamDir];
    server = spawn(natsServer, args, { env: { ...env, PATH: process.env['PATH'] ?? '' }, stdio: 'ignore' });
    await eventually(() => connectAs(services[0]?.name ?? 'ingest'), 10_000, 100);
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    server?.kill('SIGTERM');
    if (server) await exitOf(server);
  });

  it('has a user for every service', async () => {
    for (const { name } of services) await expect(connectAs(name)).resolves.toBeDefined();
  });

  it('refuses a wrong password', async () => {
    await expect(connectAs('ingest', 'wrong')).rejects.toThrow(/Authorization/i);
  });

  (runServices ? it : it.skip)(
    'runs every service with its own user',
    async () => {
      const schemas: string[] = [];
      const started = await Promise.all(
        services
          .filter((s) => s.grpcPort !== undefined)
          .map(async (service) => {
            const schema = uniqueName(`nats_${service.name.replaceAll('-', '_')}_`);
            schemas.push(schema);
            const port = await freePort();
            const child = startServiceProcess(service.name, {
              env: {
                NATS_URL: url,
                NATS_USER: service.name,
                NATS_PASSWORD: passwords[service.name] ?? '',
                DB_SCHEMA: schema,
                GRPC_PORT: String(port),
                METRICS_PORT: String(await freePort()),
                // Outside dev mode the email service needs a relay to start; it connects only to send.
                SMTP_URL: 'smtp://127.0.0.1:2525',
              },
            });
            return { service, child, port };
          }),
      );
      try {
        // SERVING: each made its streams and consumers, which its permissions allow.
        await Promise.all(started.map(({ port }) => untilServing(`127.0.0.1:${port}`, 90_000)));
      } finally {
        for (const { child } of started) child.kill('SIGTERM');
        const exits = await Promise.all(
          started.map(async ({ service, child }) => [service.name, (await exitOf(child)).code]),
        );
        await dropSchemas(...schemas);
        expect(exits).toEqual(started.map(({ service }) => [service.name, 0]));
      }
    },
    150_000,
  );

  it('lets ingest publish notifications and popups, and nothing another service owns', async () => {
    const { mayPublish } = await connectAs('ingest');
    expect(await mayPublish('notifications.ingested.acme')).toBe(true);
    expect(await mayPublish('live.acme.alice')).toBe(true);
    expect(await mayPublish('deliveries.email.acme')).toBe(false);
    expect(await mayPublish('inbox.read.acme.alice')).toBe(false);
    expect(await mayPublish('preferences.changed.acme.alice')).toBe(false);
    expect(await mayPublish('directory.changed.acme')).toBe(false);
  });

  it('lets preferences publish deliveries and directory changes, never a notification or a popup', async () => {
    const { mayPublish } = await connectAs('preferences');
    expect(await mayPublish('deliveries.email.acme')).toBe(true);
    expect(await mayPublish('directory.changed.acme')).toBe(true);
    expect(await mayPublish('notifications.ingested.acme')).toBe(false);
    expect(await mayPublish('live.acme.alice')).toBe(false);
  });

  it('lets interface publish reads and live items, never a notification or a delivery', async () => {
    const { mayPublish } = await connectAs('interface');
    expect(await mayPublish('inbox.read.acme.alice')).toBe(true);
    expect(await mayPublish('live.acme.alice')).toBe(true);
    expect(await mayPublish('notifications.ingested.acme')).toBe(false);
    expect(await mayPublish('deliveries.interface.acme')).toBe(false);
  });
});
