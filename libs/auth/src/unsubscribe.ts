import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a one-click unsubscribe link (RFC 8058) switches off: a user's email
 * from one provider, or from all of them (`all`). Signed with a key from
 * configuration shared by the email service (which writes the links) and the
 * gateway (which honours them), so the link needs no login and cannot be
 * changed to reach another user or scope.
 */
export interface UnsubscribeLink {
  account: string;
  user: string;
  /** A provider id, or `all`. */
  scope: string;
}

export const allEmail = 'all';

/**
 * The key of `npm start` when UNSUBSCRIBE_KEY is unset: known to everyone, so
 * only ever taken in dev mode.
 */
export const devUnsubscribeKey = 'herald-dev-mode-unsubscribe-key-never-in-production';

/** The signing key of a service: its UNSUBSCRIBE_KEY, the dev key in dev mode, or none (links off). */
export function unsubscribeKeyOf(config: { UNSUBSCRIBE_KEY?: string | undefined; HERALD_DEV_MODE: boolean }) {
  return config.UNSUBSCRIBE_KEY ?? (config.HERALD_DEV_MODE ? devUnsubscribeKey : undefined);
}

function mac(link: UnsubscribeLink, key: string): Buffer {
  // Fields joined by a byte no id holds, under a version tag: no two links share a message.
  return createHmac('sha256', key)
    .update(['herald.unsubscribe.v1', link.account, link.user, link.scope].join('\n'))
    .digest();
}

/** The signature of a link: HMAC-SHA256, base64url. */
export function signUnsubscribe(link: UnsubscribeLink, key: string): string {
  return mac(link, key).toString('base64url');
}

/** Whether `signature` is the link's, compared in constant time. */
export function verifyUnsubscribe(link: UnsubscribeLink, signature: string, key: string): boolean {
  const expected = mac(link, key);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `base?account=…&user=…&scope=…&sig=…`: the List-Unsubscribe address, and the footer's link. */
export function unsubscribeUrl(base: string, link: UnsubscribeLink, key: string): string {
  const url = new URL(base);
  url.searchParams.set('account', link.account);
  url.searchParams.set('user', link.user);
  url.searchParams.set('scope', link.scope);
  url.searchParams.set('sig', signUnsubscribe(link, key));
  return url.href;
}
