// @ts-check
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultNatsUrl } from './nats.mjs';
import { defaultDatabaseUrl } from './postgres.mjs';
import { SetupError } from './process.mjs';

/**
 * A deployable, as its `services/<name>/package.json` declares it in a
 * `"herald"` field, e.g. `{ "grpcPort": 50051, "after": ["preferences"] }`.
 * @typedef {object} ServiceSpec
 * @property {string} name the folder under services/
 * @property {number} [grpcPort] its gRPC port (health: grpc.health.v1)
 * @property {number} [httpPort] its HTTP port, for a service without gRPC (health: GET /healthz)
 * @property {number} [metricsPort] where it serves Prometheus /metrics
 * @property {boolean} public reached from outside Herald (integrations, browsers), not only by its own services
 * @property {string[]} after the services it calls, which start before it
 */

/**
 * Every service under `root`/services with a `herald` field, in start order:
 * each after the ones it names in `after`.
 * @param {string} root
 * @returns {ServiceSpec[]}
 */
export function readServices(root) {
  const dir = join(root, 'services');
  /** @type {ServiceSpec[]} */
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8'));
    } catch {
      continue; // not a package
    }
    if (manifest.herald !== undefined) found.push(serviceSpec(name, manifest.herald));
  }
  return inStartOrder(found);
}

/**
 * @param {string} name
 * @param {unknown} field
 * @returns {ServiceSpec}
 */
export function serviceSpec(name, field) {
  const where = `services/${name}/package.json "herald"`;
  if (typeof field !== 'object' || field === null) throw new SetupError(`${where}: must be an object`);
  const { grpcPort, httpPort, metricsPort, after = [], public: isPublic, ...rest } = /** @type {any} */ (field);
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new SetupError(`${where}: unknown key ${unknown.join(', ')}`);
  const port = (/** @type {string} */ key, /** @type {unknown} */ value) => {
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || Number(value) < 1 || Number(value) > 65535) {
      throw new SetupError(`${where}: ${key} must be a port number, not ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
  const spec = {
    name,
    grpcPort: port('grpcPort', grpcPort),
    httpPort: port('httpPort', httpPort),
    metricsPort: port('metricsPort', metricsPort),
    // An HTTP service is a door for browsers; a gRPC one is internal unless it says otherwise.
    public: isPublic ?? (grpcPort === undefined && httpPort !== undefined),
    after,
  };
  if (spec.grpcPort === undefined && spec.httpPort === undefined) {
    throw new SetupError(`${where}: needs a grpcPort or an httpPort`);
  }
  if (!Array.isArray(after) || !after.every((a) => typeof a === 'string')) {
    throw new SetupError(`${where}: after must be a list of service names`);
  }
  if (typeof spec.public !== 'boolean') throw new SetupError(`${where}: public must be true or false`);
  return spec;
}

/**
 * @param {ServiceSpec[]} list
 * @returns {ServiceSpec[]}
 */
function inStartOrder(list) {
  const byName = new Map(list.map((s) => [s.name, s]));
  /** @type {ServiceSpec[]} */
  const ordered = [];
  /** @type {Set<string>} */
  const visiting = new Set();
  /** @param {ServiceSpec} service */
  const visit = (service) => {
    if (ordered.includes(service)) return;
    if (visiting.has(service.name)) throw new SetupError(`services start after each other in a cycle: ${service.name}`);
    visiting.add(service.name);
    for (const name of service.after) {
      const dependency = byName.get(name);
      if (!dependency) throw new SetupError(`${service.name} starts after ${name}, which is not a service`);
      visit(dependency);
    }
    ordered.push(service);
  };
  list.forEach(visit);
  return ordered;
}

/** @param {Record<string, string | undefined>} env */
export function stackUrls(env = process.env) {
  return { natsUrl: env.NATS_URL || defaultNatsUrl, databaseUrl: env.DATABASE_URL || defaultDatabaseUrl };
}

export const ownPortVariables = /** @type {const} */ (['GRPC_PORT', 'HTTP_PORT', 'METRICS_PORT']);

/**
 * `INGEST_GRPC_PORT` for ingest's GRPC_PORT: the plain names cannot be shared by every service.
 * @param {string} name
 * @param {typeof ownPortVariables[number]} variable
 */
export function portVariable(name, variable = 'GRPC_PORT') {
  return `${name.toUpperCase().replaceAll('-', '_')}_${variable}`;
}

/**
 * @typedef {object} Ports
 * @property {number} [grpc]
 * @property {number} [http]
 * @property {number} [metrics]
 */

/**
 * The ports of each service: the caller's <NAME>_GRPC_PORT (…_HTTP_PORT, …_METRICS_PORT), else the declared one.
 * @param {ServiceSpec[]} list
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, Ports>}
 */
export function servicePorts(list, env = process.env) {
  /** @param {string} name @param {'GRPC_PORT' | 'HTTP_PORT' | 'METRICS_PORT'} variable @param {number | undefined} declared */
  const pick = (name, variable, declared) =>
    declared === undefined ? undefined : Number(env[portVariable(name, variable)] || declared);
  return Object.fromEntries(
    list.map((s) => [
      s.name,
      {
        grpc: pick(s.name, 'GRPC_PORT', s.grpcPort),
        http: pick(s.name, 'HTTP_PORT', s.httpPort),
        metrics: pick(s.name, 'METRICS_PORT', s.metricsPort),
      },
    ]),
  );
}

/**
 * The environment of one service: ours by default, the caller's where it set a
 * variable; its own ports, and `<OTHER>_ADDR` for each gRPC service it may call.
 * @param {string} name
 * @param {Record<string, Ports>} ports
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string>}
 */
export function serviceEnv(name, ports, env = process.env) {
  const { natsUrl, databaseUrl } = stackUrls(env);
  /** @type {Record<string, string>} */
  const defaults = {
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    HERALD_NAMESPACE: '',
    GRPC_HOST: '127.0.0.1',
  };
  for (const [other, { grpc }] of Object.entries(ports)) {
    if (grpc !== undefined) defaults[`${other.toUpperCase().replaceAll('-', '_')}_ADDR`] = `127.0.0.1:${grpc}`;
  }
  const own = ports[name] ?? {};
  // The caller's plain GRPC_PORT and the like are no service's: each has its own.
  const callers = definedOnly(env);
  for (const variable of ownPortVariables) delete callers[variable];
  /** @type {Record<string, string>} */
  const fixed = { HERALD_DEV_MODE: 'true' };
  if (own.grpc !== undefined) fixed.GRPC_PORT = String(own.grpc);
  if (own.http !== undefined) fixed.HTTP_PORT = String(own.http);
  if (own.metrics !== undefined) fixed.METRICS_PORT = String(own.metrics);
  return { ...defaults, ...callers, ...fixed };
}

/**
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string>}
 */
function definedOnly(env) {
  /** @type {Record<string, string>} */
  const defined = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) defined[name] = value;
  return defined;
}
