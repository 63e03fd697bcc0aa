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

  constructor(source: PreferencesSource, options: SettingsCacheOptions) {
    this.source = source;
    this.accounts = new LRUCache({ max: options.maxAccounts ?? 10_000, ttl: options.ttlMs });
  }

  /** The settings of every user asked for, keyed by userKey(); the ones not cached are read in one query. */
  async many(users: Iterable<UserKey>): Promise<Map<string, UserPreferences>> {
    const found = new Map<string, UserPreferences>();
    const missing = new Map<string, UserKey>();
    for (const user of users) {
      const key = userKey(user.accountId, user.userId);
      const cached = this.accounts.get(user.accountId)?.get(user.userId);
      if (cached) found.set(key, cached);
      else missing.set(key, user);
    }
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

  invalidateUser(accountId: string, userId: string): void {
    this.epoch++;
    this.accounts.get(accountId)?.delete(userId);
  }

  invalidateAccount(accountId: string): void {
    this.epoch++;
    this.accounts.delete(accountId);
  }
}
