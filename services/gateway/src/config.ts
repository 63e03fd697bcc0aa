import { z } from 'zod';
import { env, loadConfig } from '@herald/config';

const shape = {
  NATS_URL: env.natsUrl(),
  HERALD_NAMESPACE: env.namespace(),
  /** Who the gateway is to a NATS server that requires it: a user and password, or a creds file. */
  NATS_USER: env.string(),
  NATS_PASSWORD: env.string(),
  NATS_CREDS: env.string(),
  LOG_LEVEL: env.logLevel(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.otlpEndpoint(),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: env.port(8080),
  INGEST_ADDR: z.string().default('127.0.0.1:50051'),
  PREFERENCES_ADDR: z.string().default('127.0.0.1:50052'),
  INTERFACE_ADDR: z.string().default('127.0.0.1:50053'),
  TELEGRAM_ADDR: z.string().default('127.0.0.1:50058'),
  /** The Devices service of mobile push, for /api/v1/me/push/devices (not waited on by /readyz). */
  MOBILE_PUSH_ADDR: z.string().default('127.0.0.1:50057'),
  /** The browser-push service: the browsers a person subscribed to Web Push, and the VAPID public key. */
  BROWSER_PUSH_ADDR: z.string().default('127.0.0.1:50056'),
  /** Deadline of every gRPC call the gateway makes, in milliseconds. */
  RPC_DEADLINE_MS: env.positiveInt(5_000),
  /** Deadline of a batch call to ingest (up to 1000 notifications stored), in milliseconds. */
  BATCH_DEADLINE_MS: env.positiveInt(30_000),
  /** Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; without one they are refused, except in dev mode. */
  ADMIN_TOKEN: env.string(),
  /** `true` opens the admin routes without a token and enables `POST /dev/sign-in`. Never in production. */
  HERALD_DEV_MODE: z
    .enum(['true', 'false'], 'must be true or false')
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Verifies the one-click unsubscribe links of mails (the email service's
   * UNSUBSCRIBE_KEY). Unset: every link is refused (in dev mode, the fixed
   * development key).
   */
  UNSUBSCRIBE_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Largest request body, in bytes (413 beyond). */
  BODY_LIMIT_BYTES: env.positiveInt(1024 * 1024),
  /** Requests per RATE_WINDOW_MS per API key, per signed-in user, or per address when neither. */
  RATE_LIMIT_MAX: env.positiveInt(600),
  RATE_WINDOW_MS: env.positiveInt(60_000),
  /** How long an account's signing secret is reused; a change of the account drops it at once. */
  SIGNING_KEY_CACHE_TTL_MS: env.positiveInt(60_000),
  SIGNING_KEY_CACHE_MAX: env.positiveInt(10_000),
  /** Lifetime of the tokens the dev sign-in hands out. */
  DEV_TOKEN_TTL_S: env.positiveInt(12 * 3600),
  /**
   * Origins whose pages may call the person routes (`/api/v1/me/…`) from the embedded
   * center, comma-separated; `*` for any (person tokens are bearer tokens, never cookies).
   */
  CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Live feed: open connections per user (every tab and device), across this replica. */
  LIVE_MAX_CONNECTIONS_PER_USER: env.positiveInt(20),
  /** Live feed: between two heartbeats, in milliseconds (below common proxies' 30 s idle timeout). */
  LIVE_HEARTBEAT_MS: env.positiveInt(25_000),
  /** Live feed: bytes queued for one client beyond which it is dropped as too slow. */
  LIVE_MAX_BUFFERED_BYTES: env.positiveInt(1024 * 1024),
  /** Live feed: most missed items sent on a reconnect; a client gone longer reloads its list. */
  LIVE_CATCH_UP_MAX_ITEMS: env.positiveInt(500),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

/** Parses the gateway's environment once, naming every bad variable. */
export function loadGatewayConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
