// @ts-check
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../lib/process.mjs';
import { readServices, serviceEnv, servicePorts } from '../lib/services.mjs';

/**
 * A repository with one package per entry of `manifests` under services/.
 * @param {Record<string, object>} manifests
 */
function tree(manifests) {
  const root = mkdtempSync(join(tmpdir(), 'herald-services-'));
  for (const [name, manifest] of Object.entries(manifests)) {
    mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', name, 'package.json'), JSON.stringify(manifest));
  }
  return root;
}

/**
 * readServices on a tree of `manifests`, removed afterwards.
 * @param {Record<string, object>} manifests
 */
function servicesOf(manifests) {
  const root = tree(manifests);
  try {
    return readServices(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('readServices', () => {
  it('lists the services of this repository, each after the ones it calls', () => {
    const services = readServices(repoRoot);
    const names = services.map((s) => s.name);
    for (const name of ['ingest', 'preferences', 'interface']) assert.ok(names.includes(name), name);
    for (const service of services) {
      for (const dependency of service.after) {
        assert.ok(names.indexOf(dependency) < names.indexOf(service.name), `${dependency} before ${service.name}`);
      }
    }
    assert.deepEqual(
      services.find((s) => s.name === 'ingest'),
      { name: 'ingest', grpcPort: 50051, httpPort: undefined, metricsPort: 9451, public: true, after: ['preferences'] },
    );
  });

  it('derives the list from the "herald" field alone, in start order', () => {
    const services = servicesOf({
      gateway: { herald: { httpPort: 8080, after: ['inbox', 'directory'] } },
      inbox: { herald: { grpcPort: 50053, after: ['directory'] } },
      directory: { herald: { grpcPort: 50052 } },
      tooling: { name: 'not a service' },
    });
    assert.deepEqual(
      services.map((s) => [s.name, s.public]),
      [
        ['directory', false],
        ['inbox', false],
        ['gateway', true],
      ],
    );
  });

  it('refuses a field it cannot run, naming the file', () => {
    assert.throws(
      () => servicesOf({ a: { herald: { after: [] } } }),
      /services\/a\/package.json "herald": needs a grpcPort or an httpPort/,
    );
    assert.throws(() => servicesOf({ a: { herald: { grpcPort: 'x' } } }), /grpcPort must be a port number/);
    assert.throws(() => servicesOf({ a: { herald: { grpcPort: 1, port: 2 } } }), /unknown key port/);
    assert.throws(
      () => servicesOf({ a: { herald: { grpcPort: 1, after: ['b'] } } }),
      /a starts after b, which is not a service/,
    );
    assert.throws(
      () => servicesOf({ a: { herald: { grpcPort: 1, after: ['b'] } }, b: { herald: { grpcPort: 2, after: ['a'] } } }),
      /in a cycle/,
    );
  });
});

describe('serviceEnv', () => {
  it('gives each service its own ports, the address of every gRPC service, dev mode, and the caller the rest', () => {
    const list = servicesOf({
      ingest: { herald: { grpcPort: 50051, metricsPort: 9451 } },
      preferences: { herald: { grpcPort: 50052 } },
      gateway: { herald: { httpPort: 8080 } },
    });
    const env = {
      NATS_URL: 'nats://10.0.0.5:4222',
      PREFERENCES_GRPC_PORT: '6000',
      GATEWAY_HTTP_PORT: '6080',
      GRPC_PORT: '1',
      HERALD_DEV_MODE: 'false',
    };
    const ports = servicePorts(list, env);
    assert.deepEqual(ports.preferences, { grpc: 6000, http: undefined, metrics: undefined });
    const ingest = serviceEnv('ingest', ports, env);
    assert.equal(ingest.GRPC_PORT, '50051');
    assert.equal(ingest.METRICS_PORT, '9451');
    assert.equal(ingest.PREFERENCES_ADDR, '127.0.0.1:6000');
    assert.equal(ingest.INGEST_ADDR, '127.0.0.1:50051');
    assert.equal(ingest.NATS_URL, 'nats://10.0.0.5:4222');
    assert.equal(ingest.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres');
    assert.equal(ingest.GRPC_HOST, '127.0.0.1');
    assert.equal(ingest.LOG_LEVEL, 'info');
    assert.equal(ingest.HERALD_NAMESPACE, '');
    assert.equal(ingest.HERALD_DEV_MODE, 'true');
    const gateway = serviceEnv('gateway', ports, env);
    assert.equal(gateway.HTTP_PORT, '6080');
    assert.equal(gateway.GRPC_PORT, undefined);
  });
});
