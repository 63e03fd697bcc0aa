import type { InboxRead, PreferencesChanged } from '@herald/contracts';
import type { Received } from '@herald/bus';
import type { DigestRepository } from './digest-repository.js';
import { fromPreferences } from './recipients.js';

/** What the digest keeps of other services' events: items read anywhere, and each user's settings. */
export class ReadState {
  constructor(
    private readonly digests: DigestRepository,
    private readonly now: () => Date,
  ) {}

  /** Items read in any channel drop out of the digests still to come. */
  async read(batch: readonly Received<InboxRead>[]): Promise<void> {
    for (const { data } of batch) {
      if (!data.accountId || !data.userId) continue;
      const readAt = data.readAt ?? this.now();
      if (data.all) await this.digests.markAllRead(data.accountId, data.userId, readAt);
      else if (data.notificationIds.length > 0) {
        await this.digests.markRead(data.accountId, data.userId, data.notificationIds, readAt);
      }
    }
  }

  /** Keeps each user's address, language, zone and digest schedule; a late event never undoes a newer one. */
  async recipients(batch: readonly Received<PreferencesChanged>[]): Promise<void> {
    for (const { data } of batch) {
      const { settings } = data;
      if (!settings?.accountId || !settings.userId) continue;
      const current = await this.digests.recipient(settings.accountId, settings.userId);
      if (current && current.version >= data.version) continue;
      const next = fromPreferences(data, current, this.now());
      if (next) await this.digests.saveRecipient(next);
    }
  }
}
