import { describe, expect, it } from '@jest/globals';
import { failureReason, latestReads } from './fan-out.js';

describe('a push channel fanning out to endpoints', () => {
  it('says why a delivery failed: each code once, counted, and what a refusal for good removed', () => {
    expect(
      failureReason(
        [
          { status: 'sent' },
          { status: 'pruned', code: 'UNREGISTERED' },
          { status: 'failed', code: 'INTERNAL' },
          { status: 'failed', code: 'INTERNAL' },
        ],
        'token removed',
      ),
    ).toBe('UNREGISTERED (token removed), INTERNAL ×2');
  });

  it("merges a user's reads of a batch into every id read and the latest count", () => {
    const read = (ids: string[], count: number, at: number, all = false) => ({
      accountId: 'a',
      userId: 'u',
      notificationIds: ids,
      all,
      unreadCount: count,
      readAt: new Date(at),
    });
    const other = { ...read(['x'], 9, 5), userId: 'v' };
    const merged = latestReads([read(['1'], 4, 2), read(['2', '1'], 3, 3), other, read([], 5, 1, true)]);
    expect(merged).toEqual([{ ...read(['1', '2'], 3, 3), all: true }, other]);
  });
});
