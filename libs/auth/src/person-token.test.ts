import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { InvalidArgumentError, UnauthenticatedError } from '@herald/errors';
import { PersonTokens, parsePublicJwk, type AccountKeys } from './person-token.js';

const secret = 's'.repeat(40);

async function pair(alg: 'RS256' | 'ES256' | 'EdDSA') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    privateKey,
    publicJwk: JSON.stringify(await exportJWK(publicKey)),
    privateJwk: await exportJWK(privateKey),
  };
}

const sign = (alg: string, key: CryptoKey | Uint8Array, claims: Record<string, unknown> = {}) =>
  new SignJWT({ account: 'acme', user: 'alice', ...claims })
    .setProtectedHeader({ alg })
    .setExpirationTime('5m')
    .sign(key);

const tokensWith = (keys: AccountKeys) => new PersonTokens(async () => keys, { ttlMs: 60_000, maxEntries: 10 });

describe('person tokens', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)(
    'takes a token signed %s with the account’s public JWK',
    async (alg) => {
      const crm = await pair(alg);
      const person = await tokensWith({ publicJwk: crm.publicJwk }).verifyPersonToken(await sign(alg, crm.privateKey));
      expect(person).toMatchObject({ account: 'acme', user: 'alice' });
    },
  );

  it('takes HS256 with the secret beside a public key, and refuses every other pairing', async () => {
    const crm = await pair('ES256');
    const other = await pair('ES256');
    const rsa = await pair('RS256');
    const tokens = tokensWith({ secret, publicJwk: crm.publicJwk });
    await expect(
      tokens.verifyPersonToken(await sign('HS256', new TextEncoder().encode(secret))),
    ).resolves.toBeDefined();
    const refused = [
      // Another CRM's key.
      await sign('ES256', other.privateKey),
      // An algorithm the account's key is not for.
      await sign('RS256', rsa.privateKey),
      // The public key's text used as an HMAC secret: the old confusion of algorithms.
      await sign('HS256', new TextEncoder().encode(crm.publicJwk)),
    ];
    for (const token of refused) await expect(tokens.verifyPersonToken(token)).rejects.toThrow(UnauthenticatedError);
    // Without a secret, no HS256 token passes.
    const onlyKey = tokensWith({ publicJwk: crm.publicJwk });
    await expect(onlyKey.verifyPersonToken(await sign('HS256', new TextEncoder().encode(secret)))).rejects.toThrow(
      UnauthenticatedError,
    );
  });

  describe('the same token again', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('is taken while the account’s keys stand, and checked against new ones once they change', async () => {
      let current: AccountKeys = { secret };
      let reads = 0;
      const tokens = new PersonTokens(
        async () => {
          reads++;
          return current;
        },
        { ttlMs: 60_000, maxEntries: 10 },
      );
      const token = await sign('HS256', new TextEncoder().encode(secret));
      for (let i = 0; i < 3; i++) {
        await expect(tokens.verifyPersonToken(token)).resolves.toMatchObject({ account: 'acme', user: 'alice' });
      }
      expect(reads).toBe(1);
      // The account's secret is replaced: the directory's change reaches forgetAccount.
      current = { secret: `${secret}-rotated` };
      tokens.forgetAccount('acme');
      await expect(tokens.verifyPersonToken(token)).rejects.toThrow(UnauthenticatedError);
      await expect(tokens.verifyPersonToken(token)).rejects.toThrow(UnauthenticatedError);
      const rotated = await sign('HS256', new TextEncoder().encode(`${secret}-rotated`));
      await expect(tokens.verifyPersonToken(rotated)).resolves.toMatchObject({ user: 'alice' });
    });

    it('is refused once it expires', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
      const tokens = tokensWith({ secret });
      const token = await sign('HS256', new TextEncoder().encode(secret));
      await expect(tokens.verifyPersonToken(token)).resolves.toBeDefined();
      jest.setSystemTime(Date.now() + 5 * 60_000);
      await expect(tokens.verifyPersonToken(token)).rejects.toThrow('token expired');
    });
  });

  it('refuses a private, symmetric or unknown key as the account’s public JWK, naming the field', async () => {
    const crm = await pair('EdDSA');
    const bad = [
      'not json',
      '[]',
      JSON.stringify(crm.privateJwk),
      JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }),
      JSON.stringify({ kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' }),
      JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'short' }),
    ];
    for (const jwk of bad) {
      const err = await parsePublicJwk(jwk).catch((e: unknown) => e);
      expect([jwk, err instanceof InvalidArgumentError && err.field]).toEqual([jwk, 'public_jwk']);
    }
    await expect(parsePublicJwk(crm.publicJwk)).resolves.toMatchObject({ algorithm: 'EdDSA' });
  });
});
