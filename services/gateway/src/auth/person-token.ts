import { errors as joseErrors, decodeJwt, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { idPattern } from '@herald/contracts';
import { HttpError, unauthenticated } from '../http-error.js';

/** Who a person token speaks for. */
export interface Person {
  account: string;
  user: string;
}

/** Verifies `Authorization: Bearer <JWT>`: HS256 with the account's signing secret, claims account, user, exp. */
export type VerifyPersonToken = (token: string) => Promise<Person>;

/** Where the account's signing secret comes from (the Directory); undefined when it has none. */
export type SigningSecretSource = (account: string) => Promise<string | undefined>;

const refused = 'invalid token';

const isId = (value: unknown): value is string => typeof value === 'string' && idPattern.test(value);

/**
 * Person tokens, verified against each account's secret. Secrets are cached
 * (bounded, with a TTL); `forgetAccount` drops one at once when the account
 * changes, so a rotated secret stops old tokens on every replica.
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
      throw unauthenticated(refused);
    }
    if (!isId(claimed)) throw unauthenticated(refused);
    const secret = await this.secretOf(claimed);
    if (!secret) throw unauthenticated(refused);
    try {
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] });
      if (payload['account'] !== claimed || !isId(payload['user'])) throw unauthenticated(refused);
      return { account: claimed, user: payload['user'] };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('token expired');
      throw unauthenticated(refused);
    }
  };

  /** A token for a user of an account that has a secret (the dev sign-in). */
  async sign(person: Person, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const secret = await this.secretOf(person.account);
    if (!secret) {
      throw new HttpError(409, 'FAILED_PRECONDITION', `account ${person.account} has no signing secret`);
    }
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
