import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '@herald/testing';
import { readServices } from '../../libs/devstack/lib/services.mjs';

/**
 * The services are declared once, in each `services/<name>/package.json`'s
 * "herald" field; docker-compose.yml and deploy/k8s are written by hand, so
 * this holds them to it: a service missing from either, or deployed on other
 * ports, without its NATS user, or published when it is internal, fails here.
 */
const services = readServices(repoRoot);
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

type Env = Record<string, string>;
interface ComposeService {
  build?: { dockerfile: string; args: { SERVICE: string } };
  environment?: Env;
  labels?: Env;
  ports?: string[];
  depends_on?: Record<string, unknown>;
}

/** NATS_<SERVICE>_PASSWORD: the password of a service's NATS user, for NATS and for the service. */
const passwordVariable = (name: string) => `NATS_${name.toUpperCase().replaceAll('-', '_')}_PASSWORD`;
const required = (variable: string) => `\${${variable}:?set ${variable}}`;

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };

  it('runs exactly the services of services/*, each built by deploy/Dockerfile', () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(services.map((s) => s.name).sort());
    for (const [name, service] of built) {
      expect(service.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile', args: { SERVICE: name } });
    }
  });

  it.each(services.map((s) => [s.name, s] as const))('deploys %s as declared', (name, declared) => {
    const service = compose.services[name];
    expect(service).toBeDefined();
    const env = service?.environment ?? {};
    if (declared.grpcPort !== undefined) expect(env['GRPC_PORT']).toBe(String(declared.grpcPort));
    if (declared.httpPort !== undefined) expect(env['HTTP_PORT']).toBe(String(declared.httpPort));
    if (declared.metricsPort !== undefined) {
      expect(env['METRICS_PORT']).toBe(String(declared.metricsPort));
      expect(service?.labels).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(declared.metricsPort),
        'prometheus.io/path': '/metrics',
      });
    }
    expect(env['NATS_USER']).toBe(name);
    expect(env['NATS_PASSWORD']).toBe(required(passwordVariable(name)));
    expect(compose.services['nats']?.environment?.[passwordVariable(name)]).toBe(required(passwordVariable(name)));
    for (const dependency of declared.after) expect(Object.keys(service?.depends_on ?? {})).toContain(dependency);

    // Public doors are published; an internal port stays on the compose network.
    const publicPort = declared.httpPort ?? declared.grpcPort;
    expect(service?.ports ?? []).toEqual(declared.public ? [`${publicPort}:${publicPort}`] : []);
  });

  it('refuses to start without the admin token', () => {
    const tokens = Object.values(compose.services).flatMap((s) =>
      Object.entries(s.environment ?? {}).filter(([name]) => name === 'ADMIN_TOKEN'),
    );
    expect(tokens.length).toBeGreaterThan(0);
    for (const [, value] of tokens) expect(value).toBe(required('ADMIN_TOKEN'));
  });
});

interface Container {
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: { grpc?: { port: number }; httpGet?: { port: number } };
}
interface Resource {
  kind: string;
  metadata: { name: string };
  /** Absent on a Namespace or a ConfigMap. */
  spec?: {
    template?: { metadata: { labels: Env; annotations?: Env }; spec: { containers: Container[] } };
    ports?: { port: number }[];
    podSelector?: { matchExpressions?: { key: string; values: string[] }[] };
  };
}

describe('deploy/k8s', () => {
  const documents = (path: string) => parseAllDocuments(read(path)).map((d) => d.toJS() as Resource);
  const kustomization = parse(read('deploy/k8s/kustomization.yaml')) as {
    resources: string[];
    images: { name: string }[];
  };
  const resources = kustomization.resources.flatMap((file) => documents(`deploy/k8s/${file}`));
  const find = (kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name);

  it.each(services.map((s) => [s.name, s] as const))('deploys %s as declared', (name, declared) => {
    expect(kustomization.resources).toContain(`${name}.yaml`);
    expect(kustomization.images.map((i) => i.name)).toContain(`herald/${name}`);
    const deployment = find('Deployment', name);
    expect(deployment).toBeDefined();
    const pod = deployment?.spec?.template;
    expect(pod?.metadata.labels['app.kubernetes.io/part-of']).toBe('herald');
    const container = pod?.spec.containers[0];
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    const ports = Object.fromEntries((container?.ports ?? []).map((p) => [p.name, p.containerPort]));
    const port = declared.grpcPort ?? declared.httpPort;

    expect(env[declared.grpcPort === undefined ? 'HTTP_PORT' : 'GRPC_PORT']).toBe(String(port));
    expect(ports[declared.grpcPort === undefined ? 'http' : 'grpc']).toBe(port);
    const probe = container?.startupProbe;
    expect(probe?.grpc?.port ?? probe?.httpGet?.port).toBe(port);
    expect(find('Service', name)?.spec?.ports?.map((p) => p.port)).toContain(port);

    if (declared.metricsPort !== undefined) {
      expect(env['METRICS_PORT']).toBe(String(declared.metricsPort));
      expect(ports['metrics']).toBe(declared.metricsPort);
      expect(pod?.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(declared.metricsPort),
        'prometheus.io/path': '/metrics',
      });
    }
    expect(env['NATS_USER']).toBe(name);
    expect(env['NATS_PASSWORD']).toEqual({ secretKeyRef: { name: 'herald-nats', key: name } });

    // The NetworkPolicy opens a port to everyone only on the public doors.
    const publicNames = find('NetworkPolicy', 'herald-public')?.spec?.podSelector?.matchExpressions?.[0]?.values;
    expect(publicNames?.includes(name)).toBe(declared.public);
  });

  it('takes every secret from a Secret that must exist', () => {
    const refs = resources
      .flatMap((r) => r.spec?.template?.spec.containers ?? [])
      .flatMap((c) => c.env ?? [])
      .flatMap((e) => (e.valueFrom?.secretKeyRef ? [{ variable: e.name, ...e.valueFrom.secretKeyRef }] : []));
    expect(refs.map((r) => r.variable)).toContain('ADMIN_TOKEN');
    // The optional Secrets are the channels' credentials: without one that channel is off, by design, and says so.
    const channelSecrets = ['herald-firebase', 'herald-telegram', 'herald-vapid'];
    expect(refs.filter((r) => r.optional && !channelSecrets.includes(r.name))).toEqual([]);
  });

  it('gives the NATS cluster a user for every service, its password from the herald-nats Secret', () => {
    const values = parse(read('deploy/k8s/nats-values.yaml')) as {
      config: { merge: { authorization: { users: { user: string; password: string }[] } } };
      container: { env: Record<string, { valueFrom: unknown }> };
    };
    for (const { name } of services) {
      const variable = passwordVariable(name);
      expect(values.config.merge.authorization.users).toContainEqual(
        expect.objectContaining({ user: name, password: `<< $${variable} >>` }),
      );
      expect(values.container.env[variable]).toEqual({
        valueFrom: { secretKeyRef: { name: 'herald-nats', key: name } },
      });
    }
  });
});
