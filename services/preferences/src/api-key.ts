import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * An API key is `hk_<keyId>_<secret>`: the key id finds the record, the secret
 * (32 random bytes, base64url) proves possession. Only sha256(secret) is kept:
 * the secret is high-entropy, so a fast hash is enough, no salt or KDF needed.
 */
const keyPattern = /^hk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  readonly keyId: string;
  /** Shown once, to the caller of IssueApiKey. */
  readonly apiKey: string;
  readonly secretHash: Buffer;
}

export function newApiKey(): NewApiKey {
  const keyId = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { keyId, apiKey: `hk_${keyId}_${secret}`, secretHash: sha256(secret) };
}

/** The parts of a well-formed key, or undefined. */
export function parseApiKey(apiKey: string): { keyId: string; secret: string } | undefined {
  const match = keyPattern.exec(apiKey);
  if (!match) return undefined;
  return { keyId: match[1]!, secret: match[2]! };
}

/** Compares in constant time, so the answer's timing tells nothing of the stored hash. */
export function secretMatches(secret: string, secretHash: Buffer): boolean {
  const presented = sha256(secret);
  return presented.length === secretHash.length && timingSafeEqual(presented, secretHash);
}

/** Whether two secrets are equal, without leaking where they differ. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
