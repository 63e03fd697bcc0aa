import { z } from 'zod';
import { consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';

const httpUrl = () =>
  z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

const shape = {
  ...serviceShape(50055, 9455),
  ...databaseShape('email'),
  /** The sender of deliveries.email: one mail per message, each checked against the sent ledger. */
  ...consumerShape('EMAIL'),
  /** smtp:// or smtps://, with user:password@ when the server wants auth. Unset: the capture mailbox (dev mode only). */
  SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//i.test(u), 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From of every mail, e.g. "Herald <notifications@example.com>". */
  EMAIL_FROM: z.string().min(3).default('Herald <herald@localhost>'),
  /** Open SMTP connections kept in the pool. */
  SMTP_POOL_SIZE: env.positiveInt(5),
  /** Base of CRM-relative links (`/contacts/1` → <CRM_BASE_URL>/contacts/1). */
  CRM_BASE_URL: httpUrl().default('http://localhost:8080'),
  /** The notification center: "see all" in the digest; its settings page ends every mail. */
  NOTIFICATION_CENTER_URL: httpUrl().default('http://localhost:8080/notifications'),
  /** Longest one send may take (connecting included) before it counts as a failed try, in milliseconds; keep it below EMAIL_ACK_WAIT_MS. */
  SMTP_TIMEOUT_MS: env.positiveInt(20_000),
  /** Users whose digest is composed in one claim (one transaction). */
  DIGEST_CLAIM_SIZE: env.positiveInt(50),
  /**
   * Signs the one-click unsubscribe link of every mail (RFC 8058); the gateway
   * holds the same key. Unset: mails link to the settings page instead (in dev
   * mode, a fixed development key).
   */
  UNSUBSCRIBE_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The gateway's public unsubscribe route, which the links point to. */
  UNSUBSCRIBE_URL: httpUrl().default('http://127.0.0.1:8080/api/v1/unsubscribe'),
  /** The capture mailbox's page, in dev mode without SMTP_URL. */
  MAILBOX_HTTP_PORT: env.port(8025),
};

export type EmailConfig = ReturnType<typeof loadEmailConfig>;

export function loadEmailConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
