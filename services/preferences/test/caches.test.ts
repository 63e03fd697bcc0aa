import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Bus } from '@herald/bus';
import { DirectoryChanged, PreferencesChanged, Settings, User, topics } from '@herald/contracts';
import { eventually, isolatedBus, testLogger } from '@herald/testing';
import { ChangeFeed } from '../src/change-feed.js';
import { DirectoryCache, type DirectorySource } from '../src/directory-cache.js';
import { defaultPreferences, type ApiKeyRecord, type UserPreferences } from '../src/model.js';
import { SettingsCache, type PreferencesSource } from '../src/settings-cache.js';
import { userKey, type UserKey } from '../src/settings-repository.js';

// The caches on their own, with sources in memory that count their reads.

function settingsSource() {
  const reads: UserKey[][] = [];
  let gate: Promise<void> | undefined;
  const source: PreferencesSource = {
    async preferencesOfUsers(users) {
      reads.push([...users]);
      await gate;
      return new Map<string, UserPreferences>(users.map((u) => [userKey(u.accountId, u.userId), defaultPreferences]));
    },
  };
  return {
    reads,
    source,
    /** Holds the next reads until the returned function is called. */
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        open();
        gate = undefined;
      };
    },
  };
}

function directorySource() {
  const reads = { users: [] as string[][], keys: [] as string[] };
  const key: ApiKeyRecord = {
    id: 'k1',
    accountId: 'acme',
    providerId: 'system.calls',
    secretHash: Buffer.alloc(32),
    revokedAt: null,
  };
  const source: DirectorySource = {
    systemProviders: async () => [],
    async usersOfAccounts(ids) {
      reads.users.push([...ids]);
      return ids.map((accountId) => User.fromPartial({ accountId, id: 'ann' }));
    },
    integrationsOfAccounts: async () => [],
    async apiKey(keyId) {
      reads.keys.push(keyId);
      return keyId === key.id ? key : undefined;
    },
  };
  return { reads, source };
}

const ann = { accountId: 'acme', userId: 'ann' };
const bob = { accountId: 'acme', userId: 'bob' };

describe('SettingsCache', () => {
  it('reads the users it lacks in one go, then answers from memory until a user changes', async () => {
    const { reads, source } = settingsSource();
    const cache = new SettingsCache(source, { ttlMs: 60_000 });
    await cache.many([ann, bob]);
    await cache.many([ann, bob]);
    expect(reads).toEqual([[ann, bob]]);
    cache.invalidateUser('acme', 'bob');
    await cache.many([ann, bob]);
    expect(reads).toEqual([[ann, bob], [bob]]);
    cache.invalidateAccount('acme');
    await cache.many([ann]);
    expect(reads).toEqual([[ann, bob], [bob], [ann]]);
  });

  it('does not keep a read that was in flight when its account changed', async () => {
    const { reads, source, hold } = settingsSource();
    const cache = new SettingsCache(source, { ttlMs: 60_000 });
    const release = hold();
    const stale = cache.many([ann]);
    cache.invalidateUser('acme', 'ann');
    release();
    expect((await stale).get('acme/ann')).toBe(defaultPreferences);
    await cache.many([ann]);
    expect(reads).toHaveLength(2);
  });

  it('reads an account again in the background past half its TTL, answering from memory meanwhile', async () => {
    const { reads, source, hold } = settingsSource();
    const cache = new SettingsCache(source, { ttlMs: 3_000 });
    await cache.many([ann, bob]);
    const release = hold();
    try {
      // Each call answers at once, even once the read in the background is under way (and held).
      await eventually(async () => {
        expect((await cache.many([ann])).get('acme/ann')).toBe(defaultPreferences);
        expect(reads).toHaveLength(2);
      });
      expect(reads[1]).toEqual([ann, bob]);
      await cache.many([ann, bob]);
      expect(reads).toHaveLength(2);
    } finally {
      release();
    }
  });
});

describe('DirectoryCache', () => {
  it('loads the accounts it lacks together, once for concurrent callers', async () => {
    const { reads, source } = directorySource();
    const cache = new DirectoryCache(source, { ttlMs: 60_000 });
    const [one, two] = await Promise.all([cache.account('acme'), cache.account('acme')]);
    expect(one).toBe(two);
    await cache.accounts(['acme', 'globex', 'initech']);
    expect(reads.users).toEqual([['acme'], ['globex', 'initech']]);
  });

  it('reads an account again in the background past half its TTL, answering with the snapshot it has', async () => {
    const { reads, source } = directorySource();
    const cache = new DirectoryCache(source, { ttlMs: 3_000 });
    const first = await cache.account('acme');
    await eventually(async () => {
      expect(await cache.account('acme')).toBe(first);
      expect(reads.users).toEqual([['acme'], ['acme']]);
    });
    expect(await cache.account('acme')).not.toBe(first);
    expect(reads.users).toHaveLength(2);
  });

  it('reads an API key again once its entry outlived the TTL, though no change was heard', async () => {
    const { reads, source } = directorySource();
    const cache = new DirectoryCache(source, { ttlMs: 1_000 });
    await cache.apiKey('k1');
    await cache.apiKey('k1');
    expect(reads.keys).toEqual(['k1']);
    await eventually(async () => {
      await cache.apiKey('k1');
      expect(reads.keys).toEqual(['k1', 'k1']);
    });
  });

  it('drops an account with its API keys when the account changes', async () => {
    const { reads, source } = directorySource();
    const cache = new DirectoryCache(source, { ttlMs: 60_000 });
    await cache.apiKey('k1');
    await cache.apiKey('k1');
    expect(reads.keys).toEqual(['k1']);
    cache.invalidateAccount('globex');
    await cache.apiKey('k1');
    expect(reads.keys).toEqual(['k1']);
    cache.invalidateAccount('acme');
    await cache.apiKey('k1');
    expect(reads.keys).toEqual(['k1', 'k1']);
  });
});

describe('ChangeFeed', () => {
  let bus: Bus;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ bus, cleanup } = await isolatedBus());
    await bus.ensureStreams(['PREFERENCES', 'DIRECTORY']);
  });
  afterEach(() => cleanup());

  it('drops what the caches hold of a change announced by another replica', async () => {
    const directory = directorySource();
    const settings = settingsSource();
    const directoryCache = new DirectoryCache(directory.source, { ttlMs: 60_000 });
    const settingsCache = new SettingsCache(settings.source, { ttlMs: 60_000 });
    const feed = new ChangeFeed({ bus, directory: directoryCache, settings: settingsCache, logger: testLogger() });
    await feed.listen();
    await directoryCache.account('acme');
    await settingsCache.many([ann, bob]);

    // Another replica changed ann's settings.
    await bus.publish(
      topics.preferencesChanged,
      ['acme', 'ann'],
      PreferencesChanged.fromPartial({ settings: Settings.fromPartial({ accountId: 'acme', userId: 'ann' }) }),
      { msgID: 'acme.ann.2' },
    );
    await eventually(async () => {
      await settingsCache.many([ann, bob]);
      expect(settings.reads.at(-1)).toEqual([ann]);
    });

    // Another replica changed the account's directory.
    await bus.publish(topics.directoryChanged, ['acme'], DirectoryChanged.fromPartial({ accountId: 'acme' }), {
      msgID: 'acme.key.k1.revoked',
    });
    await eventually(async () => {
      await directoryCache.account('acme');
      expect(directory.reads.users).toHaveLength(2);
    });
    await settingsCache.many([ann, bob]);
    expect(settings.reads.at(-1)).toEqual([ann, bob]);
    await feed.stop();
  });
});
