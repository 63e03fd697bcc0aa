import type { User } from '@herald/contracts';
import { LRUCache } from 'lru-cache';
import type { ApiKeyRecord, ProviderRecord } from './model.js';

/** What an account holds that the hot paths (Authorize, the router) need. */
export interface AccountSnapshot {
  readonly accountId: string;
  readonly users: ReadonlyMap<string, User>;
  /** The account's integrations; the system providers are the same for all. */
  readonly integrations: ReadonlyMap<string, ProviderRecord>;
}

/** What the cache reads from PostgreSQL. */
export interface DirectorySource {
  systemProviders(): Promise<ProviderRecord[]>;
  usersOfAccounts(accountIds: readonly string[]): Promise<User[]>;
  integrationsOfAccounts(accountIds: readonly string[]): Promise<ProviderRecord[]>;
  apiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
}

export interface DirectoryCacheOptions {
  /** How long an entry is trusted, in milliseconds: the bound on a revocation this replica did not hear of. */
  ttlMs: number;
  /** Most accounts kept; the least recently used goes first. */
  maxAccounts?: number;
  /** Most API keys kept; the least recently used goes first. */
  maxKeys?: number;
}

/**
 * The directory in memory, loaded lazily, dropped per account on every write
 * (local, or announced on directory.changed by another replica), and never
 * trusted longer than its TTL.
 *
 * A load that was in flight while any account was invalidated returns what
 * it read but does not keep it: the epoch tells.
 */
export class DirectoryCache {
  private readonly source: DirectorySource;
  private readonly snapshots: LRUCache<string, AccountSnapshot>;
  private readonly loading = new Map<string, Promise<AccountSnapshot>>();
  private readonly keys: LRUCache<string, ApiKeyRecord>;
  /** Bumped at every invalidation. */
  private epoch = 0;
  private system: Promise<ReadonlyMap<string, ProviderRecord>> | undefined;
  private readonly ttlMs: number;

  constructor(source: DirectorySource, options: DirectoryCacheOptions) {
    this.source = source;
    this.ttlMs = options.ttlMs;
    this.snapshots = new LRUCache({ max: options.maxAccounts ?? 10_000, ttl: options.ttlMs });
    this.keys = new LRUCache({ max: options.maxKeys ?? 100_000, ttl: options.ttlMs });
  }

  /** The system categories: seeded by migration, never changed while running. */
  systemProviders(): Promise<ReadonlyMap<string, ProviderRecord>> {
    this.system ??= this.source.systemProviders().then(
      (providers) => new Map(providers.map((p) => [p.id, p])),
      (err: unknown) => {
        this.system = undefined;
        throw err;
      },
    );
    return this.system;
  }

  /** A provider as the users of an account see it: a system category or one of its integrations. */
  async provider(snapshot: AccountSnapshot, providerId: string): Promise<ProviderRecord | undefined> {
    return snapshot.integrations.get(providerId) ?? (await this.systemProviders()).get(providerId);
  }

  async account(accountId: string): Promise<AccountSnapshot> {
    const snapshots = await this.accounts([accountId]);
    return snapshots.get(accountId)!;
  }

  /** Snapshots of several accounts; those not cached are read together, in one round trip per table. */
  async accounts(accountIds: Iterable<string>): Promise<Map<string, AccountSnapshot>> {
    const found = new Map<string, AccountSnapshot>();
    const waiting: Promise<void>[] = [];
    const missing: string[] = [];
    const ageing: string[] = [];
    for (const id of new Set(accountIds)) {
      const cached = this.snapshots.get(id);
      const inFlight = this.loading.get(id);
      if (cached) {
        found.set(id, cached);
        if (!inFlight && this.snapshots.getRemainingTTL(id) < this.ttlMs / 2) ageing.push(id);
      } else if (inFlight) waiting.push(inFlight.then((snapshot) => void found.set(id, snapshot)));
      else missing.push(id);
    }
    if (ageing.length > 0) this.refresh(ageing);
    if (missing.length > 0) {
      waiting.push(
        this.loadShared(missing).then((loaded) => {
          for (const [id, snapshot] of loaded) found.set(id, snapshot);
        }),
      );
    }
    await Promise.all(waiting);
    return found;
  }

  /**
   * Reads accounts again in the background while their snapshots are still
   * trusted, so a steady stream never waits for a reload (the whole account
   * every TTL); a failure leaves the snapshot to expire and the next caller to load.
   */
  private refresh(accountIds: readonly string[]): void {
    this.loadShared(accountIds).catch(() => undefined);
  }

  /** Loads accounts, letting other callers wait for the same load. */
  private loadShared(accountIds: readonly string[]): Promise<Map<string, AccountSnapshot>> {
    const load = this.load(accountIds);
    const ones = new Map(accountIds.map((id) => [id, load.then((loaded) => loaded.get(id)!)]));
    for (const [id, one] of ones) {
      this.loading.set(id, one);
      // A failure reaches this caller through `load`, and any other waiter through its own await.
      one.catch(() => undefined);
    }
    return load.finally(() => {
      for (const [id, one] of ones) if (this.loading.get(id) === one) this.loading.delete(id);
    });
  }

  /** An API key's record, or undefined when there is no such key (not kept: key ids are random). */
  async apiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.keys.get(keyId);
    if (cached) return cached;
    const epoch = this.epoch;
    const key = await this.source.apiKey(keyId);
    if (key && epoch === this.epoch) this.keys.set(keyId, key);
    return key;
  }

  /** Drops everything cached of an account: its users, integrations and API keys. */
  invalidateAccount(accountId: string): void {
    this.epoch++;
    this.snapshots.delete(accountId);
    this.loading.delete(accountId);
    for (const [keyId, key] of this.keys) {
      if (key.accountId === accountId) this.keys.delete(keyId);
    }
  }

  private async load(accountIds: readonly string[]): Promise<Map<string, AccountSnapshot>> {
    const epoch = this.epoch;
    const [users, integrations] = await Promise.all([
      this.source.usersOfAccounts(accountIds),
      this.source.integrationsOfAccounts(accountIds),
    ]);
    const loaded = new Map(
      accountIds.map((id) => [id, { accountId: id, users: new Map<string, User>(), integrations: new Map() }]),
    );
    for (const user of users) loaded.get(user.accountId)?.users.set(user.id, user);
    for (const provider of integrations) {
      if (provider.accountId !== null) loaded.get(provider.accountId)?.integrations.set(provider.id, provider);
    }
    if (epoch === this.epoch) for (const [id, snapshot] of loaded) this.snapshots.set(id, snapshot);
    return loaded;
  }
}
