import { randomUUID } from 'node:crypto';
import {
  AuthorizeReply,
  IssueApiKeyReply,
  ListApiKeysReply,
  ListUsersReply,
  User,
  type Account,
  type AuthorizeRequest,
  type GetSigningSecretRequest,
  type IssueApiKeyRequest,
  type ListApiKeysRequest,
  type ListUsersRequest,
  type Provider,
  type RegisterProviderRequest,
  type RevokeApiKeyReply,
  type RevokeApiKeyRequest,
  type SigningSecret,
  type UpsertAccountRequest,
  type UpsertUserRequest,
} from '@herald/contracts';
import { looksLikeJwt, parsePublicJwk, type VerifyPersonToken } from '@herald/auth';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnauthenticatedError,
  parseInput,
} from '@herald/errors';
import { newApiKey, parseApiKey, secretMatches } from './api-key.js';
import type { ChangeNotifier } from './change-feed.js';
import type { DirectoryCache } from './directory-cache.js';
import { toProvider, toProviderRef, toSettings } from './model.js';
import type { Store } from './store.js';
import { requests } from './validation.js';

/** The same answer for every bad key, so a caller cannot probe which keys exist. */
const refused = 'invalid API key';

/** The provider of what a signed-in person sends from the browser (APP.notifications in widget code). */
export const widgetsProviderId = 'system.widgets';

/** Accounts, users, integrations and their API keys; Authorize for ingest. */
export class DirectoryService {
  private readonly store: Store;
  private readonly cache: DirectoryCache;
  private readonly changes: ChangeNotifier;
  private readonly verifyPersonToken: VerifyPersonToken;

  constructor(deps: {
    store: Store;
    cache: DirectoryCache;
    changes: ChangeNotifier;
    /** The person tokens' check, shared with the gateway. */
    verifyPersonToken: VerifyPersonToken;
  }) {
    this.store = deps.store;
    this.cache = deps.cache;
    this.changes = deps.changes;
    this.verifyPersonToken = deps.verifyPersonToken;
  }

  async upsertAccount(request: UpsertAccountRequest): Promise<Account> {
    const { id, name, signingSecret, publicJwk } = parseInput(requests.upsertAccount, request);
    if (publicJwk) await parsePublicJwk(publicJwk, 'public_jwk');
    const { account, revision } = await this.store.directory.upsertAccount(id, name, signingSecret, publicJwk);
    await this.changes.directoryChanged(id, `account.${revision}`);
    return account;
  }

  /** Creates or replaces a user; its settings stay as they were. */
  async upsertUser(request: UpsertUserRequest): Promise<User> {
    const user = User.fromPartial(parseInput(requests.upsertUser, request).user);
    const { saved, settings } = await this.store.transaction(async (tx) => {
      const saved = await tx.directory.upsertUser(user);
      if (!saved) throw new NotFoundError(`account ${user.accountId} not found`);
      const providers = await tx.directory.providersOf(user.accountId);
      const preferences = await tx.settings.preferencesOf(user.accountId, user.id);
      return { saved, settings: toSettings(user.accountId, user.id, preferences, providers) };
    });
    await this.changes.directoryChanged(user.accountId, `user.${user.id}.${saved.version}`);
    await this.changes.preferencesChanged({ settings, user: saved.user, version: saved.version });
    return saved.user;
  }

  async listUsers(request: ListUsersRequest): Promise<ListUsersReply> {
    const { accountId } = parseInput(requests.account, request);
    await this.requireAccount(accountId);
    return ListUsersReply.fromPartial({ users: await this.store.directory.usersOfAccounts([accountId]) });
  }

  /** Registers an integration of one account: a provider its users see in their settings. */
  async registerProvider(request: RegisterProviderRequest): Promise<Provider> {
    const { id, accountId, name, iconUrl, defaultChannels } = parseInput(requests.registerProvider, request);
    const provider = await this.store.directory.saveIntegration({
      id: id ?? randomUUID(),
      kind: 'integration',
      accountId,
      name,
      iconUrl,
      defaultChannels,
    });
    if (!provider) throw new NotFoundError(`account ${accountId} not found, or provider id taken by another account`);
    // A provider has no revision: the time names this write, so an update after a registration is announced too.
    await this.changes.directoryChanged(accountId, `provider.${provider.id}.${Date.now()}`);
    return toProvider(provider);
  }

  /** A key for one provider of one account; the key is in the reply only, never stored. */
  async issueApiKey(request: IssueApiKeyRequest): Promise<IssueApiKeyReply> {
    const { accountId, providerId, name } = parseInput(requests.issueApiKey, request);
    await this.requireAccount(accountId);
    const providers = await this.store.directory.providersOf(accountId);
    if (!providers.some((p) => p.id === providerId)) {
      throw new NotFoundError(`provider ${providerId} is not available to account ${accountId}`);
    }
    const key = newApiKey();
    await this.store.directory.insertApiKey({
      id: key.keyId,
      accountId,
      providerId,
      name,
      secretHash: key.secretHash,
    });
    await this.changes.directoryChanged(accountId, `key.${key.keyId}.issued`);
    return IssueApiKeyReply.fromPartial({ keyId: key.keyId, apiKey: key.apiKey });
  }

  /**
   * Once this returns, this replica refuses the key; the others as soon as
   * they hear directory.changed, and within the cache TTL in any case.
   */
  async revokeApiKey(request: RevokeApiKeyRequest): Promise<RevokeApiKeyReply> {
    const { accountId, keyId } = parseInput(requests.revokeApiKey, request);
    const revoked = await this.store.directory.revokeApiKey(accountId, keyId);
    if (!revoked) throw new NotFoundError(`account ${accountId} has no API key ${keyId}`);
    await this.changes.directoryChanged(accountId, `key.${keyId}.revoked`);
    return {};
  }

  async listApiKeys(request: ListApiKeysRequest): Promise<ListApiKeysReply> {
    const { accountId } = parseInput(requests.account, request);
    await this.requireAccount(accountId);
    return ListApiKeysReply.fromPartial({ keys: await this.store.directory.apiKeysOf(accountId) });
  }

  async getSigningSecret(request: GetSigningSecretRequest): Promise<SigningSecret> {
    const { accountId } = parseInput(requests.account, request);
    const keys = await this.store.directory.verificationKeys(accountId);
    if (keys === undefined) throw new NotFoundError(`account ${accountId} not found`);
    if (keys.secret === null && keys.publicJwk === null) {
      throw new FailedPreconditionError(`account ${accountId} has neither a signing secret nor a public key`);
    }
    return { accountId, secret: keys.secret ?? '', publicJwk: keys.publicJwk ?? '' };
  }

  /** Served from memory once warm: ingest calls it for every request. */
  async authorize(request: AuthorizeRequest): Promise<AuthorizeReply> {
    if (looksLikeJwt(request.apiKey)) return this.authorizePerson(request);
    const parts = parseApiKey(request.apiKey);
    if (!parts) throw new UnauthenticatedError(refused);
    const key = await this.cache.apiKey(parts.keyId);
    if (!key || !secretMatches(parts.secret, key.secretHash) || key.revokedAt !== null) {
      throw new UnauthenticatedError(refused);
    }
    const snapshot = await this.cache.account(key.accountId);
    const provider = await this.cache.provider(snapshot, key.providerId);
    if (!provider) throw new UnauthenticatedError(refused);
    const unknown = [...new Set(request.recipients)].filter((id) => !snapshot.users.has(id));
    return AuthorizeReply.fromPartial({
      accountId: key.accountId,
      provider: toProviderRef(provider),
      unknownRecipients: unknown,
    });
  }

  /**
   * A person token: the signed-in user sends as the account's widgets, only
   * to recipients they name (never to the whole account), until the token
   * expires.
   */
  private async authorizePerson(request: AuthorizeRequest): Promise<AuthorizeReply> {
    const person = await this.verifyPersonToken(request.apiKey);
    if (request.recipients.length === 0) {
      throw new InvalidArgumentError('recipients', 'a signed-in person sends to the users they list, not to everyone');
    }
    const snapshot = await this.cache.account(person.account);
    const provider = await this.cache.provider(snapshot, widgetsProviderId);
    if (!provider) throw new FailedPreconditionError(`provider ${widgetsProviderId} is missing: migrate the database`);
    return AuthorizeReply.fromPartial({
      accountId: person.account,
      provider: toProviderRef(provider),
      unknownRecipients: [...new Set(request.recipients)].filter((id) => !snapshot.users.has(id)),
      expiresAt: person.expiresAt,
    });
  }

  private async requireAccount(accountId: string): Promise<void> {
    if (!(await this.store.directory.accountExists(accountId))) {
      throw new NotFoundError(`account ${accountId} not found`);
    }
  }
}
