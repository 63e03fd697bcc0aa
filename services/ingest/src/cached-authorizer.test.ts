import { describe, expect, it } from '@jest/globals';
import { UnauthenticatedError } from '@herald/errors';
import { CachedAuthorizer } from './cached-authorizer.js';
import type { Authorizer } from './ingest.js';

function countingDirectory(): Authorizer & { calls: number } {
  const directory = {
    calls: 0,
    async authorize(apiKey: string, recipients: readonly string[]) {
      directory.calls++;
      if (apiKey === 'bad') throw new UnauthenticatedError('unknown key');
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

describe('CachedAuthorizer', () => {
  it('asks the directory once per key and recipients until the account changes', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, { ttlMs: 60_000, maxEntries: 100 });
    await cached.authorize('a-key', ['u1']);
    await cached.authorize('a-key', ['u1']);
    expect(directory.calls).toBe(1);
    expect((await cached.authorize('a-key', ['u1', 'ghost'])).unknownRecipients).toEqual(['ghost']);
    await cached.authorize('g-key', ['u1']);
    expect(directory.calls).toBe(3);

    cached.forgetAccount('acme');
    await cached.authorize('a-key', ['u1']);
    await cached.authorize('g-key', ['u1']);
    expect(directory.calls).toBe(4);
  });

  it('never caches a refusal', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, { ttlMs: 60_000, maxEntries: 100 });
    await expect(cached.authorize('bad', [])).rejects.toThrow(UnauthenticatedError);
    await expect(cached.authorize('bad', [])).rejects.toThrow(UnauthenticatedError);
    expect(directory.calls).toBe(2);
  });

  it('never reuses an answer past the end of the credential it was given for', async () => {
    const directory = countingDirectory();
    const cached = new CachedAuthorizer(directory, { ttlMs: 60_000, maxEntries: 100 });
    await cached.authorize('expired.jwt.sig', ['u1']);
    await cached.authorize('expired.jwt.sig', ['u1']);
    expect(directory.calls).toBe(2);
  });
});
