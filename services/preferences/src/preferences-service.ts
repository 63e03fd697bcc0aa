import {
  ListProvidersReply,
  type GetSettingsRequest,
  type ListProvidersRequest,
  type Settings,
  type UpdateSettingsRequest,
} from '@herald/contracts';
import type { z } from 'zod';
import { InvalidArgumentError, NotFoundError, parseInput } from '@herald/errors';
import type { ChangeNotifier } from './change-feed.js';
import {
  ordered,
  toProvider,
  toSettings,
  type OptionalChannel,
  type ProviderRecord,
  type UserPreferences,
} from './model.js';
import type { Store } from './store.js';
import { requests } from './validation.js';

/** An UpdateSettingsRequest whose every field was checked, except that its providers exist. */
export type SettingsUpdate = z.output<typeof requests.updateSettings>;

/** Checks everything an update can be checked for without reading the database. */
export function validateUpdate(request: UpdateSettingsRequest): SettingsUpdate {
  return parseInput(requests.updateSettings, request);
}

/**
 * A user's settings after an update: the new preferences, and the provider
 * choices that changed (null: forgotten, the defaults apply again). `reset`
 * goes first, so switches given with it apply over the provider's defaults.
 */
export function applyUpdate(
  current: UserPreferences,
  update: SettingsUpdate,
  available: ReadonlyMap<string, ProviderRecord>,
): { preferences: UserPreferences; changedChoices: Map<string, OptionalChannel[] | null> } {
  const choices = new Map(current.choices);
  const changedChoices = new Map<string, OptionalChannel[] | null>();
  update.providers.forEach(({ providerId, reset, switches }, i) => {
    const provider = available.get(providerId);
    if (!provider) {
      throw new InvalidArgumentError(`providers[${i}].provider_id`, `unknown provider ${JSON.stringify(providerId)}`);
    }
    if (reset) {
      choices.delete(providerId);
      changedChoices.set(providerId, null);
    }
    if (switches.length === 0) return;
    const channels = new Set(choices.get(providerId) ?? provider.defaultChannels);
    for (const { channel, enabled } of switches) {
      if (enabled) channels.add(channel);
      else channels.delete(channel);
    }
    const chosen = ordered(channels);
    choices.set(providerId, chosen);
    changedChoices.set(providerId, chosen);
  });
  return {
    preferences: {
      receiveNotifications: update.receiveNotifications ?? current.receiveNotifications,
      emailMode: update.emailMode ?? current.emailMode,
      digestTime: update.digestTime ?? current.digestTime,
      inboxOrder: update.inboxOrder ?? current.inboxOrder,
      taskLeadMinutes: update.taskLeadMinutes ?? current.taskLeadMinutes,
      choices,
    },
    changedChoices,
  };
}

/** A user's notification settings. */
export class PreferencesService {
  private readonly store: Store;
  private readonly changes: ChangeNotifier;

  constructor(deps: { store: Store; changes: ChangeNotifier }) {
    this.store = deps.store;
    this.changes = deps.changes;
  }

  /** A user who never saved settings has the defaults. */
  async getSettings(request: GetSettingsRequest): Promise<Settings> {
    const { accountId, userId } = parseInput(requests.user, request);
    const [user, providers, preferences] = await Promise.all([
      this.store.directory.user(accountId, userId),
      this.store.directory.providersOf(accountId),
      this.store.settings.preferencesOf(accountId, userId),
    ]);
    if (!user) throw new NotFoundError(`account ${accountId} has no user ${userId}`);
    return toSettings(accountId, userId, preferences, providers);
  }

  /** Validates everything first; the whole update applies in one transaction, or none of it. */
  async updateSettings(request: UpdateSettingsRequest): Promise<Settings> {
    const update = validateUpdate(request);
    const { accountId, userId } = update;
    const { settings, user, version } = await this.store.transaction(async (tx) => {
      const locked = await tx.directory.bumpUserVersion(accountId, userId);
      if (!locked) throw new NotFoundError(`account ${accountId} has no user ${userId}`);
      // One client runs one query at a time: no Promise.all inside a transaction.
      const providers = await tx.directory.providersOf(accountId);
      const current = await tx.settings.preferencesOf(accountId, userId);
      const { preferences, changedChoices } = applyUpdate(current, update, new Map(providers.map((p) => [p.id, p])));
      await tx.settings.save(accountId, userId, preferences, changedChoices);
      return { settings: toSettings(accountId, userId, preferences, providers), ...locked };
    });
    await this.changes.preferencesChanged({ settings, user, version });
    return settings;
  }

  async listProviders(request: ListProvidersRequest): Promise<ListProvidersReply> {
    const { accountId } = parseInput(requests.account, request);
    if (!(await this.store.directory.accountExists(accountId))) {
      throw new NotFoundError(`account ${accountId} not found`);
    }
    const providers = await this.store.directory.providersOf(accountId);
    return ListProvidersReply.fromPartial({ providers: providers.map(toProvider) });
  }
}
