import {
  errors as joseErrors,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { idPattern } from '@herald/contracts';
import { FailedPreconditionError, InvalidArgumentError, UnauthenticatedError } from '@herald/errors';

/** Who a person token speaks for. */
export interface Person {
  account: string;
  user: string;
}

/** A verified token: who it speaks for, and until when. */
export interface VerifiedPerson extends Person {
  expiresAt: Date;
}

/**
 * Verifies a person token: HS256 with the account's signing secret, or
 * signed with the private key of the account's public JWK; claims account,
 * user, exp.
 */
export type VerifyPersonToken = (token: string) => Promise<VerifiedPerson>;

/** What verifies an account's tokens: its signing secret, the CRM's public JWK (JSON), or both. */
export interface AccountKeys {
  secret?: string | undefined;
  publicJwk?: string | undefined;
}

/** Where an account's keys come from (the Directory); undefined when it has none. */
export type AccountKeySource = (account: string) => Promise<AccountKeys | undefined>;

/** The algorithms a public JWK may verify, by its key type. */
export type PublicAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

const refused = 'invalid token';

const isId = (value: unknown): value is string => typeof value === 'string' && idPattern.test(value);

/** Whether a bearer credential has the shape of a JWT (three base64url parts), as opposed to an API key. */
export const looksLikeJwt = (credential: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);

/** Members only a private or symmetric JWK holds. */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function algorithmOf(jwk: JWK): PublicAlgorithm {
  switch (jwk.kty) {
    case 'RSA':
      if (jwk.alg === undefined || jwk.alg === 'RS256') return 'RS256';
      if (jwk.alg === 'PS256') return 'PS256';
      throw new Error('an RSA key verifies RS256 or PS256');
    case 'EC':
      if (jwk.crv === 'P-256' && (jwk.alg === undefined || jwk.alg === 'ES256')) return 'ES256';
      throw new Error('an EC key must be on P-256 (ES256)');
    case 'OKP':
      if (jwk.crv === 'Ed25519' && (jwk.alg === undefined || jwk.alg === 'EdDSA' || jwk.alg === 'Ed25519')) {
        return 'EdDSA';
      }
      throw new Error('an OKP key must be Ed25519 (EdDSA)');
    default:
      throw new Error('kty must be RSA, EC or OKP');
  }
}

/**
 * A public JWK (JSON) as a verification key and its one algorithm. Throws an
 * InvalidArgumentError naming `field` for anything else: not JSON, a private
 * or symmetric key, a type or curve not taken, a key that does not import.
 */
export async function parsePublicJwk(
  json: string,
  field = 'public_jwk',
): Promise<{ algorithm: PublicAlgorithm; key: CryptoKey | KeyObject }> {
  let jwk: unknown;
  try {
    jwk = JSON.parse(json);
  } catch {
    throw new InvalidArgumentError(field, 'must be a JWK, as JSON');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new InvalidArgumentError(field, 'must be a JWK, as a JSON object');
  }
  const members = jwk as JWK;
  if (privateMembers.some((member) => member in members)) {
    throw new InvalidArgumentError(field, 'must be a public key: it holds private members');
  }
  let algorithm: PublicAlgorithm;
  try {
    algorithm = algorithmOf(members);
  } catch (err) {
    throw new InvalidArgumentError(field, (err as Error).message);
  }
  try {
    const key = await importJWK({ ...members, alg: algorithm }, algorithm);
    if (key instanceof Uint8Array) throw new Error('not a public key');
    return { algorithm, key };
  } catch (cause) {
    throw new InvalidArgumentError(field, 'is not a valid public key', { cause });
  }
}

/**
 * An account's keys as they verify: built once when the account's keys are
 * read (an HMAC key imported from the secret, the public JWK imported), not
 * for every token.
 */
interface VerificationKeys {
  /** HS256 with the account's signing secret; signs the dev sign-in's tokens too. */
  secret?: CryptoKey;
  public?: { algorithm: PublicAlgorithm; key: CryptoKey | KeyObject };
}

/** A token that passed every check, and the keys it passed with. */
interface Verified {
  person: VerifiedPerson;
  keys: VerificationKeys;
}

/** Verified tokens remembered at most: one a signed-in person, each entry well under 1 KiB. */
const maxVerifiedTokens = 10_000;

const hs256 = { name: 'HMAC', hash: 'SHA-256' } as const;

/**
 * Person tokens, verified against each account's keys: one check for every
 * service that takes them (the gateway, the Directory's Authorize). A token's
 * `alg` picks the key: HS256 the account's secret, the public JWK's own
 * algorithm that key; any other is refused. Keys are cached (bounded, with a
 * TTL); `forgetAccount` drops one at once when the account changes, so a
 * rotated key stops old tokens on every replica. Every refusal is an
 * UnauthenticatedError.
 *
 * A person sends the same token with every request until it expires, so a
 * token that passed is remembered (bounded, the same TTL) with the account
 * keys it passed with: the same string again is taken without a second
 * signature check while those keys are still the account's (a key that
 * changed, was forgotten or aged out of its cache makes it check again), and
 * only until its `exp`.
 */
export class PersonTokens {
  private readonly keys: LRUCache<string, VerificationKeys>;
  private readonly verified: LRUCache<string, Verified>;

  constructor(
    private readonly source: AccountKeySource,
    options: { ttlMs: number; maxEntries: number },
  ) {
    this.keys = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.verified = new LRUCache({ max: maxVerifiedTokens, ttl: options.ttlMs });
  }

  readonly verifyPersonToken: VerifyPersonToken = async (token) => {
    const known = this.verified.get(token);
    if (known) {
      if (this.keys.peek(known.person.account) === known.keys) {
        if (Date.now() < known.person.expiresAt.getTime()) return known.person;
        this.verified.delete(token);
        throw new UnauthenticatedError('token expired');
      }
      this.verified.delete(token);
    }
    let claimed: unknown;
    let alg: unknown;
    try {
      // Unverified: only to pick the key; the signature below decides.
      claimed = decodeJwt(token)['account'];
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new UnauthenticatedError(refused);
    }
    if (!isId(claimed)) throw new UnauthenticatedError(refused);
    const keys = await this.keysOf(claimed);
    if (!keys) throw new UnauthenticatedError(refused);
    const key = alg === 'HS256' ? keys.secret : alg === keys.public?.algorithm ? keys.public?.key : undefined;
    if (!key) throw new UnauthenticatedError(refused);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: [alg as string], requiredClaims: ['exp'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired');
      throw new UnauthenticatedError(refused);
    }
    if (payload['account'] !== claimed || !isId(payload['user'])) throw new UnauthenticatedError(refused);
    const person = { account: claimed, user: payload['user'], expiresAt: new Date((payload.exp ?? 0) * 1000) };
    this.verified.set(token, { person, keys });
    return person;
  };

  /** A token for a user of an account that has a secret (the dev sign-in). */
  async sign(person: Person, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const secret = (await this.keysOf(person.account))?.secret;
    if (!secret) throw new FailedPreconditionError(`account ${person.account} has no signing secret`);
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttlSeconds) * 1000);
    const token = await new SignJWT({ account: person.account, user: person.user })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(secret);
    return { token, expiresAt };
  }

  /** The account's keys changed: its tokens are checked against the new ones from now on. */
  forgetAccount(account: string): void {
    this.keys.delete(account);
  }

  private async keysOf(account: string): Promise<VerificationKeys | undefined> {
    const cached = this.keys.get(account);
    if (cached) return cached;
    const found = await this.source(account);
    if (found === undefined) return undefined;
    const keys: VerificationKeys = {};
    if (found.secret) {
      const bytes = new TextEncoder().encode(found.secret);
      keys.secret = await crypto.subtle.importKey('raw', bytes, hs256, false, ['sign', 'verify']);
    }
    // A key that no longer imports (checked when it was set) verifies nothing, rather than failing every call.
    const publicKey = found.publicJwk ? await parsePublicJwk(found.publicJwk).catch(() => undefined) : undefined;
    if (publicKey) keys.public = publicKey;
    this.keys.set(account, keys);
    return keys;
  }
}
