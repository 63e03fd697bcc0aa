import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, UnauthenticatedError } from '@herald/errors';
import { CachedAuthorizer, type AuthorizerCacheOptions } from './cached-authorizer.js';
import type { Authorizer } from './ingest.js';

function countingDirectory(): Authorizer & { calls: number; revoked: Set<string> } {
  const directory = {
    calls: 0,
    revoked: new Set<string>(),
    async authorize(apiKey: string, recipients: readonly string[]) {
      directory.calls++;
      if (apiKey === 'bad' || directory.revoked.has(apiKey)) throw new UnauthenticatedError('unknown key');
      // As the directory does: a person token never reaches the whole account.
      if (apiKey.endsWith('.jwt.sig') && recipients.length === 0) {
        throw new InvalidArgumentError('recipients', 'a person token must name its recipients');
      }
      return {
        accountId: apiKey.startsWith('a') ? 'acme' : 'globex',
        provider: { id: 'p', kind: 'PROVIDER_KIND_INTEGRATION' as const, name: 'P', iconUrl: '' },
        unknownRecipients: recipients.filter((r) => r === 'ghost'),
        // A person token that has already run out.
        ...(apiKey === 'expired.jwt.sig' ? { expiresAt: new Date(Date.now() - 1000) } : {}),
      };
    },
  };
  return directory;
}

const options: AuthorizerCacheOptions = { ttlMs: 60_000, maxEntries: 100, usersTtlMs: 600_000, maxUsers: 1_000 };

/** Lets a refresh started in the background finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CachedAuthorizer', () => {
  it('asks the directory once per key, and once per new recipient, until the account changes', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, options);
    await cached.authorize('a-key', ['u1']);
    await cached.authorize('a-key', ['u1']);
    expect(directory.calls).toBe(1);
    await cached.authorize('a-key', ['u2']);
    expect(await cached.authorize('a-key', ['u2', 'u1'])).toEqual(expect.objectContaining({ accountId: 'acme' }));
    expect(directory.calls).toBe(2);

    // An unknown recipient is never remembered: the caller hears of it every time.
    expect((await cached.authorize('a-key', ['u1', 'ghost'])).unknownRecipients).toEqual(['ghost']);
    expect((await cached.authorize('a-key', ['ghost'])).unknownRecipients).toEqual(['ghost']);
    expect(directory.calls).toBe(4);

    // Users are known per account: another account's key asks for its own.
    await cached.authorize('g-key', ['u1']);
    expect(directory.calls).toBe(5);

    cached.forgetAccount('acme');
    await cached.authorize('a-key', ['u1']);
    await cached.authorize('g-key', ['u1']);
    expect(directory.calls).toBe(6);
  });

  it('asks the directory about every call to a whole account until it took one from that credential', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, options);
    await cached.authorize('person.jwt.sig', ['u1']);
    await cached.authorize('person.jwt.sig', ['u1']);
    expect(directory.calls).toBe(1);
    // Known as a holder, yet never taken for a call naming no one: the directory refuses it each time.
    await expect(cached.authorize('person.jwt.sig', [])).rejects.toThrow(InvalidArgumentError);
    await expect(cached.authorize('person.jwt.sig', [])).rejects.toThrow(InvalidArgumentError);
    expect(directory.calls).toBe(3);

    await cached.authorize('a-key', ['u1']);
    await cached.authorize('a-key', []);
    await cached.authorize('a-key', []);
    await cached.authorize('a-key', ['u1']);
    expect(directory.calls).toBe(5);
  });

  it('never caches a refusal', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, options);
    await expect(cached.authorize('bad', [])).rejects.toThrow(UnauthenticatedError);
    await expect(cached.authorize('bad', [])).rejects.toThrow(UnauthenticatedError);
    expect(directory.calls).toBe(2);
  });

  it('never reuses an answer past the end of the credential it was given for', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, options);
    await cached.authorize('expired.jwt.sig', ['u1']);
    await cached.authorize('expired.jwt.sig', ['u1']);
    expect(directory.calls).toBe(2);
  });

  it('asks again in the background past half the TTL, so a steady stream never waits', async () => {
    const directory = countingDirectory();
    let now = 1_000_000;
    const cached = new CachedAuthorizer(directory, options, undefined, () => now);
    await cached.authorize('a-key', ['u1']);
    now += 31_000;
    // Answered at once from what is known; the directory is asked beside it, once.
    const [first, second] = await Promise.all([cached.authorize('a-key', ['u1']), cached.authorize('a-key', ['u1'])]);
    expect([first.accountId, second.accountId]).toEqual(['acme', 'acme']);
    await settle();
    expect(directory.calls).toBe(2);
    // The refreshed answer counts from the refresh: past the first answer's TTL it still stands.
    now += 29_500;
    await cached.authorize('a-key', ['u1']);
    expect(directory.calls).toBe(2);
  });

  it('drops a credential the directory refuses on a refresh, within one TTL even if the change was missed', async () => {
    const directory = countingDirectory();
    let now = 1_000_000;
    const cached = new CachedAuthorizer(directory, options, undefined, () => now);
    await cached.authorize('a-key', ['u1']);
    directory.revoked.add('a-key');
    now += 31_000;
    await cached.authorize('a-key', ['u1']);
    await settle();
    await expect(cached.authorize('a-key', ['u1'])).rejects.toThrow(UnauthenticatedError);
  });

  it('refuses once the TTL has passed with no refresh', async () => {
    const directory = countingDirectory();
    let now = 1_000_000;
    const cached = new CachedAuthorizer(directory, options, undefined, () => now);
    await cached.authorize('a-key', ['u1']);
    directory.revoked.add('a-key');
    now += 61_000;
    await expect(cached.authorize('a-key', ['u1'])).rejects.toThrow(UnauthenticatedError);
  });
});
