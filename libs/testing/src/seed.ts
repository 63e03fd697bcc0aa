import { DirectoryClient, type IssueApiKeyReply } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';

export interface SeedOptions {
  accountId: string;
  userIds: readonly string[];
  /** Sent as the bearer of the admin calls, when the service has one. */
  adminToken?: string;
  /** API keys to issue for the integration; 1 unless told. */
  keys?: number;
}

export interface SeededAccount {
  providerId: string;
  /** The first one's `apiKey` is the integration's key. */
  keys: IssueApiKeyReply[];
}

/**
 * An account with users (UTC, English) and an integration that sends to the
 * interface only, made through the Directory at `address` as an admin would.
 */
export async function seedAccount(address: string, options: SeedOptions): Promise<SeededAccount> {
  const directory = new DirectoryClient(address, ...clientOptions());
  const admin = { deadlineMs: 30_000, ...(options.adminToken ? { bearer: options.adminToken } : {}) };
  const { accountId } = options;
  try {
    await callUnary(directory.upsertAccount.bind(directory), { id: accountId, name: `Account ${accountId}` }, admin);
    for (const id of options.userIds) {
      const user = {
        accountId,
        id,
        email: `${id}@example.com`,
        displayName: `User ${id}`,
        timezone: 'UTC',
        locale: 'en',
        telegramChatId: '',
      };
      await callUnary(directory.upsertUser.bind(directory), { user }, admin);
    }
    const provider = await callUnary(
      directory.registerProvider.bind(directory),
      { accountId, name: 'Integration', iconUrl: '', defaultChannels: [] },
      admin,
    );
    const keys: IssueApiKeyReply[] = [];
    for (let i = 0; i < (options.keys ?? 1); i++) {
      const request = { accountId, providerId: provider.id, name: `key ${i}` };
      keys.push(await callUnary(directory.issueApiKey.bind(directory), request, admin));
    }
    return { providerId: provider.id, keys };
  } finally {
    directory.close();
  }
}
