import { LRUCache } from 'lru-cache';
import type { Authorizer } from './ingest.js';

type Authorization = Awaited<ReturnType<Authorizer['authorize']>>;

/**
 * Remembers what the directory answered for a key and a set of recipients,
 * so that a steady stream of notifications costs no extra round trip each.
 * Any change to an account's directory (a key revoked, a user added) drops
 * that account's answers: `forgetAccount` is called from directory.changed.
 * Refusals are never cached.
 */
export class CachedAuthorizer implements Authorizer {
  private readonly cache: LRUCache<string, Authorization>;
  private readonly ttlMs: number;

  constructor(
    private readonly directory: Authorizer,
    options: { ttlMs: number; maxEntries: number },
  ) {
    this.cache = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.ttlMs = options.ttlMs;
  }

  async authorize(apiKey: string, recipients: readonly string[]): Promise<Authorization> {
    const key = `${apiKey}\n${recipients.join(',')}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const answer = await this.directory.authorize(apiKey, recipients);
    if (answer.expiresAt === undefined) {
      this.cache.set(key, answer);
      return answer;
    }
    // A person token's answer is never reused past the token's own end.
    const left = answer.expiresAt.getTime() - Date.now();
    if (left > 0) this.cache.set(key, answer, { ttl: Math.min(left, this.ttlMs) });
    return answer;
  }

  forgetAccount(accountId: string): void {
    for (const [key, answer] of this.cache.entries()) {
      if (answer.accountId === accountId) this.cache.delete(key);
    }
  }
}
