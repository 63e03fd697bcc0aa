import type { InboxRead } from '@herald/contracts';
import { userKey } from './unread-counts.js';

/** What became of one send to one endpoint (a device, a browser), as a push channel's sender reports it. */
export type SendResult =
  { readonly status: 'sent' } | { readonly status: 'pruned' | 'failed' | 'retry'; readonly code: string };

/**
 * The reason a delivery failed, from what became of its sends: each code
 * once, with how many endpoints gave it; `prunedAs` says what a refusal for
 * good removed ("token removed", "subscription removed").
 */
export function failureReason(results: readonly SendResult[], prunedAs: string): string {
  const codes = new Map<string, number>();
  for (const result of results) {
    if (result.status === 'sent') continue;
    const label = result.status === 'pruned' ? `${result.code} (${prunedAs})` : result.code;
    codes.set(label, (codes.get(label) ?? 0) + 1);
  }
  return [...codes].map(([label, count]) => (count > 1 ? `${label} ×${count}` : label)).join(', ');
}

/** Merges each user's read events of one batch: every id read, the latest count. */
export function latestReads(reads: readonly InboxRead[]): InboxRead[] {
  const byUser = new Map<string, InboxRead>();
  for (const data of reads) {
    const key = userKey(data);
    const known = byUser.get(key);
    if (!known) {
      byUser.set(key, { ...data, notificationIds: [...data.notificationIds] });
      continue;
    }
    const newer = (data.readAt?.getTime() ?? 0) >= (known.readAt?.getTime() ?? 0) ? data : known;
    byUser.set(key, {
      ...newer,
      all: known.all || data.all,
      notificationIds: [...new Set([...known.notificationIds, ...data.notificationIds])],
    });
  }
  return [...byUser.values()];
}
