import { errors as joseErrors, decodeJwt, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { idPattern } from '@herald/contracts';
import { FailedPreconditionError, UnauthenticatedError } from '@herald/errors';

/** Who a person token speaks for. */
export interface Person {
  account: string;
  user: string;
}

/** A verified token: who it speaks for, and until when. */
export interface VerifiedPerson extends Person {
  expiresAt: Date;
}

/** Verifies a person token: HS256 with the account's signing secret, claims account, user, exp. */
export type VerifyPersonToken = (token: string) => Promise<VerifiedPerson>;

/** Where the account's signing secret comes from (the Directory); undefined when it has none. */
export type SigningSecretSource = (account: string) => Promise<string | undefined>;

const refused = 'invalid token';

const isId = (value: unknown): value is string => typeof value === 'string' && idPattern.test(value);

/** Whether a bearer credential has the shape of a JWT (three base64url parts), as opposed to an API key. */
export const looksLikeJwt = (credential: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);

/**
 * Person tokens, verified against each account's secret: one check for every
 * service that takes them (the gateway, the Directory's Authorize). Secrets
 * are cached (bounded, with a TTL); `forgetAccount` drops one at once when the
 * account changes, so a rotated secret stops old tokens on every replica.
 * Every refusal is an UnauthenticatedError.
 */
export class PersonTokens {
  private readonly secrets: LRUCache<string, Uint8Array>;

  constructor(
    private readonly source: SigningSecretSource,
    options: { ttlMs: number; maxEntries: number },
  ) {
    this.secrets = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  readonly verifyPersonToken: VerifyPersonToken = async (token) => {
    let claimed: unknown;
    try {
      // Unverified: only to pick the key; the signature below decides.
      claimed = decodeJwt(token)['account'];
    } catch {
      throw new UnauthenticatedError(refused);
    }
    if (!isId(claimed)) throw new UnauthenticatedError(refused);
    const secret = await this.secretOf(claimed);
    if (!secret) throw new UnauthenticatedError(refused);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired');
      throw new UnauthenticatedError(refused);
    }
    if (payload['account'] !== claimed || !isId(payload['user'])) throw new UnauthenticatedError(refused);
    return { account: claimed, user: payload['user'], expiresAt: new Date((payload.exp ?? 0) * 1000) };
  };

  /** A token for a user of an account that has a secret (the dev sign-in). */
  async sign(person: Person, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const secret = await this.secretOf(person.account);
    if (!secret) throw new FailedPreconditionError(`account ${person.account} has no signing secret`);
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttlSeconds) * 1000);
    const token = await new SignJWT({ account: person.account, user: person.user })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(secret);
    return { token, expiresAt };
  }

  forgetAccount(account: string): void {
    this.secrets.delete(account);
  }

  private async secretOf(account: string): Promise<Uint8Array | undefined> {
    const cached = this.secrets.get(account);
    if (cached) return cached;
    const secret = await this.source(account);
    if (secret === undefined) return undefined;
    const key = new TextEncoder().encode(secret);
    this.secrets.set(account, key);
    return key;
  }
}
