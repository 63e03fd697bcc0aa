import { LRUCache } from 'lru-cache';
import type { UserPreferences } from './model.js';
import { userKey, type UserKey } from './settings-repository.js';

/** What the cache reads from PostgreSQL. */
export interface PreferencesSource {
  /** Keyed by userKey(); a user who never saved settings gets the defaults. */
  preferencesOfUsers(users: readonly UserKey[]): Promise<Map<string, UserPreferences>>;
}

export interface SettingsCacheOptions {
  /** How long an entry is trusted, in milliseconds: the bound on a change this replica did not hear of. */
  ttlMs: number;
  /** Most accounts whose users' settings are kept; the least recently used goes first. */
  maxAccounts?: number;
}

/**
 * Users' settings in memory for the router, read a batch at a time, dropped
 * on every change (local, or announced on preferences.changed and
 * directory.changed by another replica), and never trusted longer than the
 * TTL. A read in flight while any change was heard is returned but not kept.
 */
export class SettingsCache {
  private readonly source: PreferencesSource;
  /** account → user → settings */
  private readonly accounts: LRUCache<string, Map<string, UserPreferences>>;
  /** Bumped at every invalidation. */
  private epoch = 0;
  private readonly ttlMs: number;
  /** Accounts whose users are being read again in the background. */
  private readonly refreshing = new Set<string>();

  constructor(source: PreferencesSource, options: SettingsCacheOptions) {
    this.source = source;
    this.ttlMs = options.ttlMs;
    this.accounts = new LRUCache({ max: options.maxAccounts ?? 10_000, ttl: options.ttlMs });
  }

  /** The settings of every user asked for, keyed by userKey(); the ones not cached are read in one query. */
  async many(users: Iterable<UserKey>): Promise<Map<string, UserPreferences>> {
    const found = new Map<string, UserPreferences>();
    const missing = new Map<string, UserKey>();
    const ageing = new Set<string>();
    for (const user of users) {
      const key = userKey(user.accountId, user.userId);
      const cached = this.accounts.get(user.accountId)?.get(user.userId);
      if (cached) found.set(key, cached);
      else missing.set(key, user);
      if (cached && this.accounts.getRemainingTTL(user.accountId) < this.ttlMs / 2) ageing.add(user.accountId);
    }
    for (const accountId of ageing) this.refresh(accountId);
    if (missing.size === 0) return found;

    const epoch = this.epoch;
    const loaded = await this.source.preferencesOfUsers([...missing.values()]);
    for (const [key, user] of missing) {
      const preferences = loaded.get(key);
      if (!preferences) continue;
      found.set(key, preferences);
      if (epoch !== this.epoch) continue;
      let users = this.accounts.get(user.accountId);
      if (!users) {
        users = new Map();
        this.accounts.set(user.accountId, users);
      }
      users.set(user.userId, preferences);
    }
    return found;
  }

  /**
   * Reads an account's cached users again in the background while they are
   * still trusted, so a steady stream never waits for the whole account to
   * reload at its TTL; a failure leaves the entry to expire.
   */
  private refresh(accountId: string): void {
    if (this.refreshing.has(accountId)) return;
    const users = this.accounts.get(accountId);
    if (!users) return;
    this.refreshing.add(accountId);
    const epoch = this.epoch;
    const keys = [...users.keys()].map((userId) => ({ accountId, userId }));
    this.source
      .preferencesOfUsers(keys)
      .then((loaded) => {
        if (epoch !== this.epoch) return;
        const fresh = new Map<string, UserPreferences>();
        for (const { userId } of keys) {
          const preferences = loaded.get(userKey(accountId, userId));
          if (preferences) fresh.set(userId, preferences);
        }
        this.accounts.set(accountId, fresh);
      })
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(accountId));
  }

  invalidateUser(accountId: string, userId: string): void {
    this.epoch++;
    this.accounts.get(accountId)?.delete(userId);
  }

  invalidateAccount(accountId: string): void {
    this.epoch++;
    this.accounts.delete(accountId);
  }
}
