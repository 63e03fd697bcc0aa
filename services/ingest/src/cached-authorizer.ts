import { LRUCache } from 'lru-cache';
import { UnauthenticatedError } from '@herald/errors';
import type { Logger } from '@herald/telemetry';
import type { Authorizer } from './ingest.js';

type Authorization = Awaited<ReturnType<Authorizer['authorize']>>;

/** What the directory said of a credential, apart from any recipients. */
interface Holder {
  readonly accountId: string;
  readonly provider: Authorization['provider'];
  readonly expiresAt?: Date;
  /**
   * The directory took it for a call naming no recipients (every user of the
   * account); a person token never is, and is asked about each such call.
   */
  readonly wholeAccount: boolean;
  /** When the directory said it (ms since the epoch). */
  readonly checkedAt: number;
}

export interface AuthorizerCacheOptions {
  /**
   * How long the directory's answer for a credential is reused. Past half of
   * it, the next request is answered from the cache while the directory is
   * asked again in the background: a steady stream never waits for it, and a
   * revocation this replica did not hear of is refused within this long.
   */
  ttlMs: number;
  maxEntries: number;
  /** How long a recipient is known to be a user of its account. */
  usersTtlMs: number;
  maxUsers: number;
}

/**
 * Remembers who holds a credential (API key or person token) and which users
 * each account has, apart: a stream of notifications to many users costs a
 * round trip the first time a recipient is named and one per credential and
 * TTL (off the request's path), not one per recipient list and TTL. Any change
 * to an account's directory (a key revoked, a user removed) drops that
 * account's answers: `forgetAccount` is called from directory.changed.
 * Refusals and unknown recipients are never cached.
 */
export class CachedAuthorizer implements Authorizer {
  private readonly holders: LRUCache<string, Holder>;
  /** `${accountId}\n${userId}` of the users the directory knew. */
  private readonly users: LRUCache<string, true>;
  private readonly refreshing = new Set<string>();

  constructor(
    private readonly directory: Authorizer,
    private readonly options: AuthorizerCacheOptions,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.holders = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs, perf: { now } });
    this.users = new LRUCache({ max: options.maxUsers, ttl: options.usersTtlMs, perf: { now } });
  }

  async authorize(apiKey: string, recipients: readonly string[]): Promise<Authorization> {
    const holder = this.holders.get(apiKey);
    if (holder && this.covers(holder, recipients)) {
      if (this.now() - holder.checkedAt >= this.options.ttlMs / 2) this.refresh(apiKey, recipients);
      return {
        accountId: holder.accountId,
        provider: holder.provider,
        unknownRecipients: [],
        ...(holder.expiresAt ? { expiresAt: holder.expiresAt } : {}),
      };
    }
    return this.ask(apiKey, recipients);
  }

  forgetAccount(accountId: string): void {
    for (const [key, holder] of this.holders.entries()) {
      if (holder.accountId === accountId) this.holders.delete(key);
    }
    const prefix = `${accountId}\n`;
    for (const key of this.users.keys()) {
      if (key.startsWith(prefix)) this.users.delete(key);
    }
  }

  /** Whether what is known answers for these recipients as the directory would. */
  private covers(holder: Holder, recipients: readonly string[]): boolean {
    if (recipients.length === 0) return holder.wholeAccount;
    return recipients.every((user) => this.users.has(`${holder.accountId}\n${user}`));
  }

  private async ask(apiKey: string, recipients: readonly string[]): Promise<Authorization> {
    const answer = await this.directory.authorize(apiKey, recipients);
    const left = answer.expiresAt ? answer.expiresAt.getTime() - this.now() : Infinity;
    // A person token's answer is never reused past the token's own end.
    if (left <= 0) return answer;
    const ttl = Math.min(left, this.options.ttlMs);
    const { accountId, provider, expiresAt } = answer;
    const before = this.holders.get(apiKey);
    const wholeAccount = recipients.length === 0 || (before?.wholeAccount === true && before.accountId === accountId);
    this.holders.set(
      apiKey,
      { accountId, provider, wholeAccount, checkedAt: this.now(), ...(expiresAt ? { expiresAt } : {}) },
      { ttl },
    );
    const unknown = new Set(answer.unknownRecipients);
    for (const user of recipients) if (!unknown.has(user)) this.users.set(`${accountId}\n${user}`, true);
    return answer;
  }

  /** Asks the directory again, once at a time per credential; a refusal drops the credential at once. */
  private refresh(apiKey: string, recipients: readonly string[]): void {
    if (this.refreshing.has(apiKey)) return;
    this.refreshing.add(apiKey);
    this.ask(apiKey, recipients)
      .catch((err: unknown) => {
        if (err instanceof UnauthenticatedError) {
          this.holders.delete(apiKey);
          return;
        }
        // The directory is out: the answer in hand stands until its TTL ends.
        this.logger?.warn({ err }, 'authorization refresh failed');
      })
      .finally(() => this.refreshing.delete(apiKey));
  }
}
