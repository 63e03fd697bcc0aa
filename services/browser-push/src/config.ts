import { createECDH } from 'node:crypto';
import { ConfigError, consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';
import { z } from 'zod';

const httpUrl = () => z.url({ protocol: /^https?$/ });
const base64url = /^[A-Za-z0-9_-]+$/;

/** An origin (`https://push.example.com:8443`) of PUSH_ENDPOINT_ALLOWLIST, or undefined. */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.origin === value.replace(/\/$/, '') ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const shape = {
  ...serviceShape(50056, 9456),
  ...databaseShape('browser_push'),
  /** The sender of deliveries.browser: batches, concurrency, tries and backoff of the consumer. */
  ...consumerShape('BROWSER'),
  /** The interface's Inbox, asked for each recipient's unread count: the badge. */
  INTERFACE_ADDR: z.string().default('127.0.0.1:50053'),
  /** Deadline of an UnreadCount call, in milliseconds; past it the push goes without a count. */
  INBOX_DEADLINE_MS: env.positiveInt(2_000),
  /** Base of CRM-relative links (`/leads/1`) opened from a notification. */
  CRM_BASE_URL: httpUrl().default('http://127.0.0.1:8080'),
  /** The notification center, opened by a notification without a link of its own. */
  NOTIFICATION_CENTER_URL: httpUrl().default('http://127.0.0.1:8080/'),
  /** The VAPID key pair (base64url, as `web-push generate-vapid-keys` prints it): without it browser push is off. */
  VAPID_PUBLIC_KEY: z.string().regex(base64url, 'base64url').optional(),
  VAPID_PRIVATE_KEY: z.string().regex(base64url, 'base64url').optional(),
  /** Who push services may contact about this sender: a mailto: or https: URL. */
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, 'a mailto: or https: URL')
    .optional(),
  /**
   * Origins, comma-separated, of push services that endpoints may name although
   * they are on loopback, a private network or plain http (a developer's or a
   * test's push service). Empty in production: any public https endpoint.
   */
  PUSH_ENDPOINT_ALLOWLIST: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const origins: string[] = [];
      for (const entry of value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const origin = originOf(entry);
        if (origin) origins.push(origin);
        else ctx.addIssue({ code: 'custom', message: `not an http(s) origin: ${entry.slice(0, 80)}` });
      }
      return origins;
    }),
  /** How long a push service keeps a message for a browser that is offline, in seconds. */
  PUSH_TTL_S: z.coerce.number().int().min(0).max(2_419_200).default(86_400),
  /** Longest one request to a push service may take, in milliseconds. */
  PUSH_TIMEOUT_MS: env.positiveInt(10_000),
  /** Sends of one message in process before its delivery is handed back to the consumer's retry. */
  PUSH_TRIES: env.positiveInt(3),
  /** First wait before sending again what a push service refused for now, doubled each time, in milliseconds. */
  PUSH_RETRY_BASE_MS: env.positiveInt(500),
  /** Longest wait in process; a longer Retry-After is honoured by the consumer's redelivery instead. */
  PUSH_RETRY_MAX_MS: env.positiveInt(10_000),
  /** Connections to push services at once. */
  PUSH_MAX_SOCKETS: env.positiveInt(100),
  /** The icon of a notification whose provider has none (an http(s) URL). */
  PUSH_ICON_URL: httpUrl().optional(),
  /** The small monochrome image of the status bar (Notification.badge). */
  PUSH_BADGE_URL: httpUrl().optional(),
};

export type BrowserPushConfig = ReturnType<typeof loadBrowserPushConfig>;

/** The VAPID keys, checked to be a P-256 pair: the private key's public half is the public key. */
function vapidProblems(publicKey: string, privateKey: string): string[] {
  const pub = Buffer.from(publicKey, 'base64url');
  const priv = Buffer.from(privateKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 4) return ['VAPID_PUBLIC_KEY: must be an uncompressed P-256 point (65 bytes)'];
  if (priv.length !== 32) return ['VAPID_PRIVATE_KEY: must be a P-256 private key (32 bytes)'];
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    if (!ecdh.getPublicKey().equals(pub)) return ['VAPID_PUBLIC_KEY: is not the public key of VAPID_PRIVATE_KEY'];
  } catch {
    return ['VAPID_PRIVATE_KEY: is not a P-256 private key'];
  }
  return [];
}

export function loadBrowserPushConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadConfig(shape, source);
  const vapid = ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'] as const;
  const given = vapid.filter((name) => config[name] !== undefined);
  const problems: string[] = [];
  if (given.length > 0 && given.length < vapid.length) {
    for (const name of vapid) if (!given.includes(name)) problems.push(`${name}: required with ${given.join(', ')}`);
  }
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) {
    problems.push(...vapidProblems(config.VAPID_PUBLIC_KEY, config.VAPID_PRIVATE_KEY));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The VAPID details web-push signs with, or undefined while browser push is off. */
export function vapidOf(
  config: BrowserPushConfig,
): { publicKey: string; privateKey: string; subject: string } | undefined {
  const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: subject } = config;
  return publicKey && privateKey && subject ? { publicKey, privateKey, subject } : undefined;
}
