import { describe, expect, it } from '@jest/globals';
import type { Received } from '@herald/bus';
import { Notification, ProviderKind, User } from '@herald/contracts';
import { extractContext } from '@herald/telemetry';
import { testLogger } from '@herald/testing';
import type { AccountSnapshot } from '../src/directory-cache.js';
import { defaultPreferences, type ProviderRecord, type UserPreferences } from '../src/model.js';
import { createRouter, type PlannedDelivery, type RouterDirectory, type RouterSettings } from '../src/router.js';
import { userKey, type UserKey } from '../src/settings-repository.js';

// The router on its own, with the directory and settings in memory: how it batches its reads and publishes.

const context = extractContext({}, { get: () => undefined, keys: () => [] });

const calls: ProviderRecord = {
  id: 'system.calls',
  kind: 'system',
  accountId: null,
  name: 'Calls',
  iconUrl: '',
  defaultChannels: ['CHANNEL_EMAIL', 'CHANNEL_MOBILE', 'CHANNEL_BROWSER'],
};

function snapshot(accountId: string, userIds: string[]): AccountSnapshot {
  return {
    accountId,
    users: new Map(userIds.map((id) => [id, User.fromPartial({ accountId, id, email: `${id}@example.com` })])),
    integrations: new Map(),
  };
}

function received(accountId: string, id: string): Received<Notification> {
  const data = Notification.fromPartial({
    id,
    accountId,
    provider: { id: 'system.calls', kind: ProviderKind.PROVIDER_KIND_SYSTEM, name: 'Calls', iconUrl: '' },
    body: { $case: 'error', value: { header: 'Oops', text: 'Something broke', link: '' } },
  });
  return { data, subject: `notifications.ingested.${accountId}`, deliveryCount: 1, context };
}

function fakes(accounts: AccountSnapshot[]) {
  const reads = { accounts: [] as string[][], settings: [] as UserKey[][] };
  const directory: RouterDirectory = {
    async accounts(ids) {
      const asked = [...ids];
      reads.accounts.push(asked);
      return new Map(asked.map((id) => [id, accounts.find((a) => a.accountId === id) ?? snapshot(id, [])]));
    },
    async provider(_, providerId) {
      return providerId === calls.id ? calls : undefined;
    },
  };
  const settings: RouterSettings = {
    async many(users) {
      const asked = [...users];
      reads.settings.push(asked);
      return new Map<string, UserPreferences>(asked.map((u) => [userKey(u.accountId, u.userId), defaultPreferences]));
    },
  };
  return { reads, directory, settings };
}

describe('the router', () => {
  it('reads the accounts and the settings of a whole batch at once, and publishes concurrently', async () => {
    const acme = snapshot('acme', ['ann', 'bob', 'cat']);
    const globex = snapshot('globex', ['dan', 'eve']);
    const { reads, directory, settings } = fakes([acme, globex]);
    const published: PlannedDelivery[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const route = createRouter({
      directory,
      settings,
      logger: testLogger(),
      publisher: {
        async publish(planned) {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          published.push(planned);
        },
      },
    });

    const batch = [
      ...Array.from({ length: 10 }, (_, i) => received('acme', `a${i}`)),
      ...Array.from({ length: 10 }, (_, i) => received('globex', `g${i}`)),
    ];
    await route(batch);

    expect(reads.accounts).toHaveLength(1);
    expect(new Set(reads.accounts[0])).toEqual(new Set(['acme', 'globex']));
    expect(reads.settings).toHaveLength(1);
    expect(new Set(reads.settings[0]!.map((u) => userKey(u.accountId, u.userId)))).toEqual(
      new Set(['acme/ann', 'acme/bob', 'acme/cat', 'globex/dan', 'globex/eve']),
    );
    // 10 notifications × 3 users + 10 × 2 users, on 4 channels each.
    expect(published).toHaveLength((10 * 3 + 10 * 2) * 4);
    expect(mostInFlight).toBeGreaterThan(1);
  });

  it('refuses a notification without an id or an account as a permanent error', async () => {
    const { directory, settings } = fakes([]);
    const route = createRouter({ directory, settings, logger: testLogger(), publisher: { publish: async () => {} } });
    await expect(route([received('', 'n1')])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'account_id' });
    await expect(route([received('acme', '')])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'id' });
  });
});
