import { Account, ApiKey, User } from '@herald/contracts';
import { channelsFromTokens, channelsToTokens, type ApiKeyRecord, type ProviderRecord } from './model.js';
import type { Queryable } from './queryable.js';

interface AccountRow {
  id: string;
  name: string;
  created_at: Date;
  revision: string;
  has_signing_secret: boolean;
  has_public_jwk: boolean;
}

interface UserRow {
  account_id: string;
  id: string;
  email: string;
  display_name: string;
  timezone: string;
  locale: string;
  telegram_chat_id: string;
  /** int8 comes back as a string. */
  version: string;
}

interface ProviderRow {
  id: string;
  account_id: string | null;
  kind: 'system' | 'integration';
  name: string;
  icon_url: string;
  default_channels: string[];
}

interface ApiKeyRow {
  id: string;
  account_id: string;
  provider_id: string;
  secret_sha256: Buffer;
  revoked_at: Date | null;
}

interface ApiKeyListRow {
  id: string;
  account_id: string;
  provider_id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** A user and the version of their profile and settings after a change. */
export interface VersionedUser {
  readonly user: User;
  readonly version: number;
}

const userColumns = 'account_id, id, email, display_name, timezone, locale, telegram_chat_id, version';
const providerColumns = 'id, account_id, kind, name, icon_url, default_channels';
/** System categories first, in their order on the settings page; then integrations as they were added. */
const providerOrder = 'ORDER BY account_id NULLS FIRST, position, created_at, id';

function toUser(row: UserRow): User {
  return User.fromPartial({
    accountId: row.account_id,
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    timezone: row.timezone,
    locale: row.locale,
    telegramChatId: row.telegram_chat_id,
  });
}

function toVersioned(row: UserRow): VersionedUser {
  return { user: toUser(row), version: Number(row.version) };
}

function toProviderRecord(row: ProviderRow): ProviderRecord {
  return {
    id: row.id,
    kind: row.kind,
    accountId: row.account_id,
    name: row.name,
    iconUrl: row.icon_url,
    defaultChannels: channelsFromTokens(row.default_channels),
  };
}

/** Accounts, users, providers and API keys. */
export class DirectoryRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /**
   * The account as saved, and its revision: the time of this write, in
   * microseconds, as digits. A signing secret left undefined keeps the one the
   * account has.
   */
  async upsertAccount(
    id: string,
    name: string,
    signingSecret: string | undefined,
    /** Undefined keeps the account's key, empty removes it. */
    publicJwk?: string | undefined,
  ): Promise<{ account: Account; revision: string }> {
    const { rows } = await this.db.query<AccountRow>(
      `INSERT INTO accounts (id, name, signing_secret, public_jwk) VALUES ($1, $2, $3, nullif($4, ''))
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name,
         signing_secret = coalesce(EXCLUDED.signing_secret, accounts.signing_secret),
         public_jwk = CASE WHEN $4::text IS NULL THEN accounts.public_jwk ELSE EXCLUDED.public_jwk END,
         updated_at = clock_timestamp()
       RETURNING id, name, created_at, signing_secret IS NOT NULL AS has_signing_secret,
         public_jwk IS NOT NULL AS has_public_jwk,
         to_char(updated_at, 'YYYYMMDDHH24MISSUS') AS revision`,
      [id, name, signingSecret ?? null, publicJwk ?? null],
    );
    const row = rows[0]!;
    return {
      account: Account.fromPartial({
        id: row.id,
        name: row.name,
        createdAt: row.created_at,
        hasSigningSecret: row.has_signing_secret,
        hasPublicJwk: row.has_public_jwk,
      }),
      revision: row.revision,
    };
  }

  /** What verifies the account's tokens; undefined when the account does not exist. */
  async verificationKeys(accountId: string): Promise<{ secret: string | null; publicJwk: string | null } | undefined> {
    const { rows } = await this.db.query<{ signing_secret: string | null; public_jwk: string | null }>(
      'SELECT signing_secret, public_jwk FROM accounts WHERE id = $1',
      [accountId],
    );
    const row = rows[0];
    return row && { secret: row.signing_secret, publicJwk: row.public_jwk };
  }

  async accountExists(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM accounts WHERE id = $1', [id]);
    return rowCount === 1;
  }

  /** Creates or replaces a user, bumping its version; undefined when the account does not exist. */
  async upsertUser(user: User): Promise<VersionedUser | undefined> {
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (account_id, id, email, display_name, timezone, locale, telegram_chat_id)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1)
       ON CONFLICT (account_id, id) DO UPDATE SET
         email = EXCLUDED.email,
         display_name = EXCLUDED.display_name,
         timezone = EXCLUDED.timezone,
         locale = EXCLUDED.locale,
         telegram_chat_id = EXCLUDED.telegram_chat_id,
         version = users.version + 1,
         updated_at = now()
       RETURNING ${userColumns}`,
      [user.accountId, user.id, user.email, user.displayName, user.timezone, user.locale, user.telegramChatId],
    );
    return rows[0] ? toVersioned(rows[0]) : undefined;
  }

  /**
   * Bumps a user's version, which also locks the user's row until the
   * transaction ends, so changes of one user's settings apply one at a time.
   */
  async bumpUserVersion(accountId: string, userId: string): Promise<VersionedUser | undefined> {
    const { rows } = await this.db.query<UserRow>(
      `UPDATE users SET version = version + 1, updated_at = now()
       WHERE account_id = $1 AND id = $2
       RETURNING ${userColumns}`,
      [accountId, userId],
    );
    return rows[0] ? toVersioned(rows[0]) : undefined;
  }

  async user(accountId: string, userId: string): Promise<User | undefined> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${userColumns} FROM users WHERE account_id = $1 AND id = $2`,
      [accountId, userId],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** The users of several accounts, in one round trip. */
  async usersOfAccounts(accountIds: readonly string[]): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${userColumns} FROM users WHERE account_id = ANY($1::text[]) ORDER BY account_id, id`,
      [accountIds],
    );
    return rows.map(toUser);
  }

  async systemProviders(): Promise<ProviderRecord[]> {
    const { rows } = await this.db.query<ProviderRow>(
      `SELECT ${providerColumns} FROM providers WHERE account_id IS NULL ${providerOrder}`,
    );
    return rows.map(toProviderRecord);
  }

  /** The integrations of several accounts, in one round trip. */
  async integrationsOfAccounts(accountIds: readonly string[]): Promise<ProviderRecord[]> {
    const { rows } = await this.db.query<ProviderRow>(
      `SELECT ${providerColumns} FROM providers WHERE account_id = ANY($1::text[]) ${providerOrder}`,
      [accountIds],
    );
    return rows.map(toProviderRecord);
  }

  /** Every provider available to the users of an account: the system categories, then its integrations. */
  async providersOf(accountId: string): Promise<ProviderRecord[]> {
    const { rows } = await this.db.query<ProviderRow>(
      `SELECT ${providerColumns} FROM providers WHERE account_id IS NULL OR account_id = $1 ${providerOrder}`,
      [accountId],
    );
    return rows.map(toProviderRecord);
  }

  /**
   * Inserts an integration, or updates the account's integration of that id.
   * Undefined when the account does not exist or another account has the id.
   */
  async saveIntegration(provider: ProviderRecord & { accountId: string }): Promise<ProviderRecord | undefined> {
    const { rows } = await this.db.query<ProviderRow>(
      `INSERT INTO providers (id, account_id, kind, name, icon_url, default_channels)
       SELECT $1, $2, 'integration', $3, $4, $5::text[] WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $2)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, icon_url = EXCLUDED.icon_url, default_channels = EXCLUDED.default_channels
       WHERE providers.account_id = EXCLUDED.account_id
       RETURNING ${providerColumns}`,
      [provider.id, provider.accountId, provider.name, provider.iconUrl, channelsToTokens(provider.defaultChannels)],
    );
    return rows[0] ? toProviderRecord(rows[0]) : undefined;
  }

  async insertApiKey(key: {
    id: string;
    accountId: string;
    providerId: string;
    name: string;
    secretHash: Buffer;
  }): Promise<void> {
    await this.db.query(
      'INSERT INTO api_keys (id, account_id, provider_id, name, secret_sha256) VALUES ($1, $2, $3, $4, $5)',
      [key.id, key.accountId, key.providerId, key.name, key.secretHash],
    );
  }

  /** Marks a key revoked (keeping the first revocation time); false when the account has no such key. */
  async revokeApiKey(accountId: string, keyId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE account_id = $1 AND id = $2',
      [accountId, keyId],
    );
    return rowCount === 1;
  }

  /** The account's keys, oldest first. */
  async apiKeysOf(accountId: string): Promise<ApiKey[]> {
    const { rows } = await this.db.query<ApiKeyListRow>(
      `SELECT id, account_id, provider_id, name, created_at, revoked_at FROM api_keys
       WHERE account_id = $1 ORDER BY created_at, id`,
      [accountId],
    );
    return rows.map((row) =>
      ApiKey.fromPartial({
        keyId: row.id,
        accountId: row.account_id,
        providerId: row.provider_id,
        name: row.name,
        createdAt: row.created_at,
        revokedAt: row.revoked_at ?? undefined,
      }),
    );
  }

  async apiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.db.query<ApiKeyRow>(
      'SELECT id, account_id, provider_id, secret_sha256, revoked_at FROM api_keys WHERE id = $1',
      [keyId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      accountId: row.account_id,
      providerId: row.provider_id,
      secretHash: row.secret_sha256,
      revokedAt: row.revoked_at,
    };
  }
}
