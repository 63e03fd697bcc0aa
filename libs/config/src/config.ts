import { z } from 'zod';

/** Every bad variable at once, so a misconfigured deploy is fixed in one go. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment once, at start. `shape` maps each variable name to
 * its schema; the result keeps those names. Nothing else reads `process.env`.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  source: Readonly<Record<string, string | undefined>> = process.env,
): z.infer<z.ZodObject<S>> {
  const picked: Record<string, string | undefined> = {};
  for (const name of Object.keys(shape)) {
    const value = source[name];
    picked[name] = value === '' ? undefined : value;
  }
  const result = z.object(shape).safeParse(picked);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  for (const group of together) {
    const given = group.filter((name) => name in shape && picked[name] !== undefined);
    if (given.length > 0 && given.length < group.length) {
      const missing = group.filter((name) => !given.includes(name));
      problems.push(...missing.map((name) => `${name}: required with ${given.join(', ')}`));
    }
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** Variables that mean something only together: one set without the others is a mistake. */
const together: readonly (readonly string[])[] = [['GRPC_TLS_CERT', 'GRPC_TLS_KEY', 'GRPC_TLS_CA']];

const subjectToken = /^[A-Za-z0-9_-]*$/;

/** The variables every service shares, and the building blocks for the rest. */
export const env = {
  natsUrl: () => z.string().default('nats://127.0.0.1:4222'),
  databaseUrl: () => z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  /** Prefixes every subject and stream: lets several Herald stacks (or tests) share one NATS. */
  namespace: () => z.string().regex(subjectToken, 'letters, digits, _ and - only').default(''),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  otlpEndpoint: () => z.string().url().optional(),
  string: () => z.string().optional(),
  /** `true` or `false`, nothing else: a typo must not silently switch a mode. */
  flag: () =>
    z
      .enum(['true', 'false'], 'must be true or false')
      .default('false')
      .transform((value) => value === 'true'),
} as const;

/** What every service reads: NATS and its namespace, logs, traces, where it serves gRPC and its metrics. */
export function serviceShape(defaultPort: number, defaultMetricsPort: number) {
  return {
    NATS_URL: env.natsUrl(),
    /** Who the service is to NATS (deploy/nats/nats.conf gives each service its own user); unset on an open server. */
    NATS_USER: env.string(),
    NATS_PASSWORD: env.string(),
    /** Path of a NATS .creds file, instead of NATS_USER and NATS_PASSWORD. */
    NATS_CREDS: env.string(),
    HERALD_NAMESPACE: env.namespace(),
    /** Replicas of each JetStream stream: 1 on one machine, 3 on a NATS cluster. */
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    LOG_LEVEL: env.logLevel(),
    OTEL_EXPORTER_OTLP_ENDPOINT: env.otlpEndpoint(),
    /** Loopback unless the deploy says otherwise: internal gRPC is never public by accident. */
    GRPC_HOST: z.string().default('127.0.0.1'),
    GRPC_PORT: env.port(defaultPort),
    /**
     * Open admin calls without a token, for a developer's machine only
     * (`npm start` sets it); the service logs a warning at start.
     */
    HERALD_DEV_MODE: env.flag(),
    /**
     * Mutual TLS between services, PEM files: this service's certificate and
     * key (served, and shown to the services it calls) and the CA that signs
     * every peer. All three or none; none means plaintext.
     */
    GRPC_TLS_CERT: z.string().optional(),
    GRPC_TLS_KEY: z.string().optional(),
    GRPC_TLS_CA: z.string().optional(),
    /** Where Prometheus scrapes /metrics (and /healthz); 0 for any free port. */
    METRICS_HOST: z.string().default('127.0.0.1'),
    METRICS_PORT: env.port(defaultMetricsPort),
  };
}

/** The TLS files of a service, or undefined when it speaks plaintext (loadConfig checked: all or none). */
export function grpcTls(config: {
  GRPC_TLS_CERT?: string | undefined;
  GRPC_TLS_KEY?: string | undefined;
  GRPC_TLS_CA?: string | undefined;
}): { certFile: string; keyFile: string; caFile: string } | undefined {
  const { GRPC_TLS_CERT: certFile, GRPC_TLS_KEY: keyFile, GRPC_TLS_CA: caFile } = config;
  return certFile && keyFile && caFile ? { certFile, keyFile, caFile } : undefined;
}

/** What a service that owns a PostgreSQL schema reads. */
export function databaseShape(defaultSchema: string) {
  return {
    DATABASE_URL: env.databaseUrl(),
    DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a plain lower-case identifier')
      .default(defaultSchema),
    DB_POOL_SIZE: env.positiveInt(10),
  };
}

type ConsumerVariable<P extends string> =
  `${P}_BATCH_SIZE` | `${P}_CONCURRENCY` | `${P}_MAX_TRIES` | `${P}_ACK_WAIT_MS` | `${P}_RETRY_BASE_MS`;

/**
 * The tuning of one JetStream consumer, under a prefix of the service's
 * choosing (INBOX_BATCH_SIZE, ROUTER_MAX_TRIES, ...).
 */
export function consumerShape<const P extends string>(
  prefix: P,
): Record<ConsumerVariable<P>, ReturnType<typeof env.positiveInt>> {
  return {
    /** Most messages handled in one batch (one INSERT, one settings read). */
    [`${prefix}_BATCH_SIZE`]: env.positiveInt(200),
    /** Most batches in flight at once. */
    [`${prefix}_CONCURRENCY`]: env.positiveInt(2),
    /** Deliveries of a message before it goes to the dead-letter subject. */
    [`${prefix}_MAX_TRIES`]: env.positiveInt(5),
    /** How long a delivered message may stay unacked before it is delivered again. */
    [`${prefix}_ACK_WAIT_MS`]: env.positiveInt(30_000),
    /** First retry delay, doubled at each next try. */
    [`${prefix}_RETRY_BASE_MS`]: env.positiveInt(1_000),
  } as Record<ConsumerVariable<P>, ReturnType<typeof env.positiveInt>>;
}

/** The consumer options a consumerShape's variables stand for. */
export function consumerTuning<P extends string>(config: Readonly<Record<ConsumerVariable<P>, number>>, prefix: P) {
  return {
    batchSize: config[`${prefix}_BATCH_SIZE`],
    concurrency: config[`${prefix}_CONCURRENCY`],
    ackWaitMs: config[`${prefix}_ACK_WAIT_MS`],
    retry: { maxTries: config[`${prefix}_MAX_TRIES`], baseDelayMs: config[`${prefix}_RETRY_BASE_MS`] },
  };
}
