import { defaultNatsUrl } from './nats.mjs';
import { defaultDatabaseUrl } from './postgres.mjs';

/**
 * Every deployable `npm start` runs, in start order (preferences before
 * ingest, which calls it; the gateway last, in front of them all), with the
 * gRPC or HTTP port each listens on.
 */
export const services = [
  { name: 'preferences', grpcPort: 50052 },
  { name: 'interface', grpcPort: 50053 },
  { name: 'ingest', grpcPort: 50051 },
  { name: 'mobile-push', grpcPort: 50057 },
  { name: 'gateway', httpPort: 8080 },
];

const servesHttp = (name) => services.some((s) => s.name === name && s.httpPort !== undefined);

export function stackUrls(env = process.env) {
  return { natsUrl: env.NATS_URL || defaultNatsUrl, databaseUrl: env.DATABASE_URL || defaultDatabaseUrl };
}

/** `INGEST_GRPC_PORT` for ingest, `GATEWAY_HTTP_PORT` for the gateway: one port variable cannot serve every service. */
export function portVariable(name) {
  return `${name.toUpperCase().replaceAll('-', '_')}_${servesHttp(name) ? 'HTTP' : 'GRPC'}_PORT`;
}

/** The port of each service: the caller's <NAME>_GRPC_PORT (or _HTTP_PORT), else the default. */
export function servicePorts(list = services, env = process.env) {
  return Object.fromEntries(list.map((s) => [s.name, Number(env[portVariable(s.name)] || (s.httpPort ?? s.grpcPort))]));
}

/** The environment of one service: ours by default, the caller's where it set a variable. */
export function serviceEnv(name, ports, env = process.env) {
  const { natsUrl, databaseUrl } = stackUrls(env);
  const defaults = {
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    HERALD_NAMESPACE: '',
    GRPC_HOST: '127.0.0.1',
    // A developer's machine: admin calls open without a token, and each service says so at start.
    HERALD_DEV_MODE: 'true',
    PREFERENCES_ADDR: `127.0.0.1:${ports.preferences ?? 50052}`,
    INGEST_ADDR: `127.0.0.1:${ports.ingest ?? 50051}`,
    INTERFACE_ADDR: `127.0.0.1:${ports.interface ?? 50053}`,
    // One machine for trying Herald out: open admin routes and the gateway's dev sign-in.
    HERALD_DEV_MODE: 'true',
  };
  return { ...defaults, ...env, [servesHttp(name) ? 'HTTP_PORT' : 'GRPC_PORT']: String(ports[name]) };
}
