import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { eventually, uniqueName } from '@herald/testing';
import { adminToken, startHarness, type Answer, type Harness } from './harness.js';

const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

describe('person tokens signed with the CRM’s private key (the account’s public JWK)', () => {
  let h: Harness;
  const account = uniqueName('acct');
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  let privateJwk: JWK;

  const putAccount = (body: unknown) =>
    h.request({ method: 'PUT', url: `/api/v1/admin/accounts/${account}`, bearer: adminToken, body });
  const tokenOf = (user: string) =>
    new SignJWT({ account, user }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('10m').sign(privateKey);

  beforeAll(async () => {
    h = await startHarness();
    const keys = await generateKeyPair('ES256', { extractable: true });
    privateKey = keys.privateKey;
    publicJwk = await exportJWK(keys.publicKey);
    privateJwk = await exportJWK(keys.privateKey);
    await h.seed(account, ['alice']);
  });
  afterAll(() => h.stop());

  it('holds the public key an admin sets, and refuses a private or unknown one naming the field', async () => {
    const set = await putAccount({ name: 'With a key', public_jwk: publicJwk });
    expect(set.json()).toMatchObject({ has_public_jwk: true, has_signing_secret: true });
    for (const [jwk, field] of [
      [privateJwk, 'public_jwk'],
      [{ kty: 'oct', k: 'c2VjcmV0' }, 'public_jwk.kty'],
      [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, 'public_jwk'],
    ] as const) {
      const answer = await putAccount({ name: 'Bad key', public_jwk: jwk });
      expect([answer.statusCode, errorOf(answer).field]).toEqual([400, field]);
    }
  });

  it('takes an ES256 token for my routes and for the browser calls that ingest checks', async () => {
    const alice = await tokenOf('alice');
    await eventually(async () => {
      const count = await h.request({ method: 'GET', url: '/api/v1/me/notifications/unread_count', bearer: alice });
      expect(count.statusCode).toBe(200);
    });
    const sent = await h.request({
      method: 'POST',
      url: '/api/v1/me/notifications/add_error',
      bearer: alice,
      body: { text: 'Signed by the CRM’s private key' },
    });
    expect(sent.statusCode).toBe(202);
    await eventually(async () => {
      const page = await h.request({ method: 'GET', url: '/api/v1/me/notifications', bearer: alice });
      expect(page.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([sent.json<{ id: string }>().id]);
    });
  });

  it('stops taking those tokens once the key is removed', async () => {
    const alice = await tokenOf('alice');
    expect((await putAccount({ name: 'Without a key', public_jwk: null })).json()).toMatchObject({
      has_public_jwk: false,
    });
    await eventually(async () => {
      const count = await h.request({ method: 'GET', url: '/api/v1/me/notifications/unread_count', bearer: alice });
      expect(count.statusCode).toBe(401);
    });
    const sent = await h.request({
      method: 'POST',
      url: '/api/v1/me/notifications/add_error',
      bearer: alice,
      body: { text: 'Never stored' },
    });
    expect(sent.statusCode).toBe(401);
  });
});
