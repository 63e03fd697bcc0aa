import { evictOldest } from './bounded.js';
import type { UserPreferences } from './model.js';
import { userKey, type UserKey } from './settings-repository.js';

/** What the cache reads from PostgreSQL. */
export interface PreferencesSource {
  /** Keyed by userKey(); a user who never saved settings gets the defaults. */
  preferencesOfUsers(users: readonly UserKey[]): Promise<Map<string, UserPreferences>>;
}

export interface SettingsCacheOptions {
  /** Most accounts whose users' settings are kept; the oldest loaded goes first. */
  maxAccounts?: number;
}

/**
 * Users' settings in memory for the router, read a batch at a time and dropped
 * on every change (local, or announced on preferences.changed and
 * directory.changed by another replica). A read in flight while its account
 * changed is returned but not kept.
 */
export class SettingsCache {
  private readonly source: PreferencesSource;
  private readonly maxAccounts: number;
  /** account → user → settings */
  private readonly accounts = new Map<string, Map<string, UserPreferences>>();
  /** Bumped for an account at each invalidation of it or of one of its users. */
  private readonly generations = new Map<string, number>();

  constructor(source: PreferencesSource, options: SettingsCacheOptions = {}) {
    this.source = source;
    this.maxAccounts = options.maxAccounts ?? 10_000;
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

    const started = new Map([...missing.values()].map((u) => [u.accountId, this.generation(u.accountId)]));
    const loaded = await this.source.preferencesOfUsers([...missing.values()]);
    for (const [key, user] of missing) {
      const preferences = loaded.get(key);
      if (!preferences) continue;
      found.set(key, preferences);
      if (started.get(user.accountId) !== this.generation(user.accountId)) continue;
      let users = this.accounts.get(user.accountId);
      if (!users) {
        users = new Map();
        this.accounts.set(user.accountId, users);
      }
      users.set(user.userId, preferences);
    }
    evictOldest(this.accounts, this.maxAccounts);
    return found;
  }

  invalidateUser(accountId: string, userId: string): void {
    this.bump(accountId);
    this.accounts.get(accountId)?.delete(userId);
  }

  invalidateAccount(accountId: string): void {
    this.bump(accountId);
    this.accounts.delete(accountId);
  }

  private generation(accountId: string): number {
    return this.generations.get(accountId) ?? 0;
  }

  private bump(accountId: string): void {
    this.generations.set(accountId, this.generation(accountId) + 1);
  }
}
