import { describe, expect, it } from '@jest/globals';
import type { FirebaseError } from 'firebase-admin/app';
import { refusalOf, retryAfterMs } from './fcm-errors.js';
import { chunks, maskToken } from './fcm-sender.js';

function withRetryAfter(value: string): FirebaseError {
  return {
    code: 'messaging/message-rate-exceeded',
    message: '',
    httpResponse: { status: 429, headers: { 'retry-after': value }, data: {} },
  } as unknown as FirebaseError;
}

describe('FCM refusals', () => {
  it('removes the token only for what names a bad token', () => {
    expect(refusalOf('messaging/registration-token-not-registered')).toBe('prune');
    expect(refusalOf('messaging/invalid-argument')).toBe('prune');
    expect(refusalOf('messaging/message-rate-exceeded')).toBe('retry');
    expect(refusalOf('messaging/server-unavailable')).toBe('retry');
    expect(refusalOf('messaging/third-party-auth-error')).toBe('fail');
    expect(refusalOf('messaging/mismatched-credential')).toBe('fail');
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryAfterMs(withRetryAfter('3'), now)).toBe(3_000);
    expect(retryAfterMs(withRetryAfter('Thu, 01 Jan 2026 12:00:10 GMT'), now)).toBe(10_000);
    expect(retryAfterMs(withRetryAfter('soon'), now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBe(0);
  });

  it('splits into calls of at most the given size and masks tokens in logs', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(
      chunks(
        Array.from({ length: 1001 }, (_, i) => i),
        500,
      ).map((c) => c.length),
    ).toEqual([500, 500, 1]);
    expect(maskToken('abcdefghijklmnopqrstuvwxyz')).toBe('abcdef…wxyz');
    expect(maskToken('short')).toBe('…');
  });
});
