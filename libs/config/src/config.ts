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
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return result.data;
}

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
} as const;

/** What every service reads: NATS and its namespace, logs, traces, where it serves gRPC and its metrics. */
export function serviceShape(defaultPort: number, defaultMetricsPort: number) {
  return {
    NATS_URL: env.natsUrl(),
    HERALD_NAMESPACE: env.namespace(),
    /** Replicas of each JetStream stream: 1 on one machine, 3 on a NATS cluster. */
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    LOG_LEVEL: env.logLevel(),
    OTEL_EXPORTER_OTLP_ENDPOINT: env.otlpEndpoint(),
    GRPC_HOST: z.string().default('127.0.0.1'),
    GRPC_PORT: env.port(defaultPort),
    /** Where Prometheus scrapes /metrics (and /healthz); 0 for any free port. */
    METRICS_HOST: z.string().default('127.0.0.1'),
    METRICS_PORT: env.port(defaultMetricsPort),
  };
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
