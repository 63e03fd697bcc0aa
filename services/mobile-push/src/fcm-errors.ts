import type { FirebaseError } from 'firebase-admin/app';

/**
 * What to do with a message FCM refused: drop the token it names for good,
 * send it again later, or report the failure.
 */
export type Refusal = 'prune' | 'retry' | 'fail';

const pruned = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
  // FCM answers INVALID_ARGUMENT for a malformed token; the payloads are built here and checked by the SDK.
  'messaging/invalid-argument',
]);

const retried = new Set([
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'messaging/server-unavailable',
  'messaging/internal-error',
  // A connection that failed before any answer.
  'messaging/unknown-error',
  'app/network-error',
  'app/network-timeout',
]);

export function refusalOf(code: string): Refusal {
  if (pruned.has(code)) return 'prune';
  if (retried.has(code)) return 'retry';
  return 'fail';
}

/** The wait FCM asked for (Retry-After, in seconds or as an HTTP date), in milliseconds; 0 when none. */
export function retryAfterMs(error: FirebaseError | undefined, now = Date.now()): number {
  const header: unknown = error?.httpResponse?.headers['retry-after'];
  if (typeof header !== 'string' || header.trim() === '') return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}
