import { defaultNatsUrl } from './nats.mjs';
import { defaultDatabaseUrl } from './postgres.mjs';

/**
 * Every deployable `npm start` runs, in start order (preferences before
 * ingest, which calls it), with the gRPC port each listens on.
 */
export const services = [
  { name: 'preferences', grpcPort: 50052 },
  { name: 'interface', grpcPort: 50053 },
  { name: 'ingest', grpcPort: 50051 },
  { name: 'email', grpcPort: 50055 },
];

export function stackUrls(env = process.env) {
  return { natsUrl: env.NATS_URL || defaultNatsUrl, databaseUrl: env.DATABASE_URL || defaultDatabaseUrl };
}

/** `INGEST_GRPC_PORT` for ingest: GRPC_PORT itself cannot be shared by every service. */
export function portVariable(name) {
  return `${name.toUpperCase().replaceAll('-', '_')}_GRPC_PORT`;
}

/** The port of each service: the caller's <NAME>_GRPC_PORT, else the default. */
export function grpcPorts(list = services, env = process.env) {
  return Object.fromEntries(list.map((s) => [s.name, Number(env[portVariable(s.name)] || s.grpcPort)]));
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
    // A developer's machine: admin calls open without a token, email without SMTP_URL goes to a capture
    // mailbox, and each service says so at start.
    HERALD_DEV_MODE: 'true',
    PREFERENCES_ADDR: `127.0.0.1:${ports.preferences ?? 50052}`,
  };
  return { ...defaults, ...env, GRPC_PORT: String(ports[name]) };
}
