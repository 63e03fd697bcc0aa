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
import { FailedPreconditionError, NotFoundError, UnauthenticatedError } from '@herald/errors';
import { newApiKey, parseApiKey, secretMatches } from './api-key.js';
import type { ChangeNotifier } from './change-feed.js';
import type { DirectoryCache } from './directory-cache.js';
import { toProvider, toProviderRef, toSettings } from './model.js';
import type { Store } from './store.js';
import {
  checkDefaultChannels,
  checkEmail,
  checkIconUrl,
  checkId,
  checkLocale,
  checkName,
  checkReference,
  checkSigningSecret,
  checkTelegramChatId,
  checkTimezone,
} from './validation.js';

/** The same answer for every bad key, so a caller cannot probe which keys exist. */
const refused = 'invalid API key';

/** Accounts, users, integrations and their API keys; Authorize for ingest. */
export class DirectoryService {
  private readonly store: Store;
  private readonly cache: DirectoryCache;
  private readonly changes: ChangeNotifier;

  constructor(deps: { store: Store; cache: DirectoryCache; changes: ChangeNotifier }) {
    this.store = deps.store;
    this.cache = deps.cache;
    this.changes = deps.changes;
  }

  async upsertAccount(request: UpsertAccountRequest): Promise<Account> {
    const id = checkId('id', request.id);
    const name = checkName('name', request.name, { required: true });
    const secret =
      request.signingSecret === undefined ? undefined : checkSigningSecret('signing_secret', request.signingSecret);
    const account = await this.store.directory.upsertAccount(id, name, secret);
    this.changes.directoryChanged(id);
    return account;
  }

  /** Creates or replaces a user; its settings stay as they were. */
  async upsertUser(request: UpsertUserRequest): Promise<User> {
    const given = request.user ?? User.fromPartial({});
    const user = User.fromPartial({
      accountId: checkId('user.account_id', given.accountId),
      id: checkId('user.id', given.id),
      email: checkEmail('user.email', given.email),
      displayName: checkName('user.display_name', given.displayName, { required: false }),
      timezone: checkTimezone('user.timezone', given.timezone),
      locale: checkLocale('user.locale', given.locale),
      telegramChatId: checkTelegramChatId('user.telegram_chat_id', given.telegramChatId),
    });
    const { saved, settings } = await this.store.transaction(async (tx) => {
      const saved = await tx.directory.upsertUser(user);
      if (!saved) throw new NotFoundError(`account ${user.accountId} not found`);
      const providers = await tx.directory.providersOf(user.accountId);
      const preferences = await tx.settings.preferencesOf(user.accountId, user.id);
      return { saved, settings: toSettings(user.accountId, user.id, preferences, providers) };
    });
    this.changes.directoryChanged(user.accountId);
    await this.changes.preferencesChanged({ settings, user: saved.user, version: saved.version });
    return saved.user;
  }

  async listUsers(request: ListUsersRequest): Promise<ListUsersReply> {
    const accountId = checkId('account_id', request.accountId);
    await this.requireAccount(accountId);
    return ListUsersReply.fromPartial({ users: await this.store.directory.usersOfAccounts([accountId]) });
  }

  /** Registers an integration of one account: a provider its users see in their settings. */
  async registerProvider(request: RegisterProviderRequest): Promise<Provider> {
    const accountId = checkId('account_id', request.accountId);
    const provider = await this.store.directory.saveIntegration({
      id: request.id === undefined ? randomUUID() : checkReference('id', request.id),
      kind: 'integration',
      accountId,
      name: checkName('name', request.name, { required: true }),
      iconUrl: checkIconUrl('icon_url', request.iconUrl),
      defaultChannels: checkDefaultChannels('default_channels', request.defaultChannels),
    });
    if (!provider) throw new NotFoundError(`account ${accountId} not found, or provider id taken by another account`);
    this.changes.directoryChanged(accountId);
    return toProvider(provider);
  }

  /** A key for one provider of one account; the key is in the reply only, never stored. */
  async issueApiKey(request: IssueApiKeyRequest): Promise<IssueApiKeyReply> {
    const accountId = checkId('account_id', request.accountId);
    const providerId = checkReference('provider_id', request.providerId);
    const name = checkName('name', request.name, { required: false });
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
    this.changes.directoryChanged(accountId);
    return IssueApiKeyReply.fromPartial({ keyId: key.keyId, apiKey: key.apiKey });
  }

  /** Once this returns, this replica refuses the key; the others as soon as they hear directory.changed. */
  async revokeApiKey(request: RevokeApiKeyRequest): Promise<RevokeApiKeyReply> {
    const accountId = checkId('account_id', request.accountId);
    const keyId = checkReference('key_id', request.keyId);
    const revoked = await this.store.directory.revokeApiKey(accountId, keyId);
    if (!revoked) throw new NotFoundError(`account ${accountId} has no API key ${keyId}`);
    this.changes.directoryChanged(accountId);
    return {};
  }

  async listApiKeys(request: ListApiKeysRequest): Promise<ListApiKeysReply> {
    const accountId = checkId('account_id', request.accountId);
    await this.requireAccount(accountId);
    return ListApiKeysReply.fromPartial({ keys: await this.store.directory.apiKeysOf(accountId) });
  }

  async getSigningSecret(request: GetSigningSecretRequest): Promise<SigningSecret> {
    const accountId = checkId('account_id', request.accountId);
    const secret = await this.store.directory.signingSecret(accountId);
    if (secret === undefined) throw new NotFoundError(`account ${accountId} not found`);
    if (secret === null) throw new FailedPreconditionError(`account ${accountId} has no signing secret`);
    return { accountId, secret };
  }

  /** Served from memory once warm: ingest calls it for every request. */
  async authorize(request: AuthorizeRequest): Promise<AuthorizeReply> {
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

  private async requireAccount(accountId: string): Promise<void> {
    if (!(await this.store.directory.accountExists(accountId))) {
      throw new NotFoundError(`account ${accountId} not found`);
    }
  }
}
