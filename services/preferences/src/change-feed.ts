import type { Bus } from '@herald/bus';
import { DirectoryChanged, topics, type PreferencesChanged } from '@herald/contracts';
import { UnavailableError } from '@herald/errors';
import type { Logger } from '@herald/telemetry';
import type { DirectoryCache } from './directory-cache.js';
import type { SettingsCache } from './settings-cache.js';

/** What the Directory and Preferences services tell the world after a write. */
export interface ChangeNotifier {
  /** After any write to an account's directory: every replica drops what it cached of the account. */
  directoryChanged(accountId: string): void;
  /** After any change of a user's settings or profile; its `version` makes the msgID unique per change. */
  preferencesChanged(event: PreferencesChanged): Promise<void>;
}

export type ChangeBus = Pick<Bus, 'publish' | 'publishCore' | 'subscribe'>;

/**
 * Keeps this replica's caches true: drops the local entries at once on a local
 * write, announces the change, and drops the entries of changes announced by
 * the other replicas.
 */
export class ChangeFeed implements ChangeNotifier {
  private readonly bus: ChangeBus;
  private readonly directory: DirectoryCache;
  private readonly settings: SettingsCache;
  private readonly logger: Logger;

  constructor(deps: { bus: ChangeBus; directory: DirectoryCache; settings: SettingsCache; logger: Logger }) {
    this.bus = deps.bus;
    this.directory = deps.directory;
    this.settings = deps.settings;
    this.logger = deps.logger;
  }

  /** Subscribes to the changes of every account (core NATS: closed when the bus drains). */
  listen(): void {
    this.bus.subscribe(topics.directoryChanged, [], (message, subject) => {
      const accountId = message.accountId || subject.split('.')[2];
      if (accountId) this.dropAccount(accountId);
    });
    this.bus.subscribe(topics.preferencesChanged, [], (message, subject) => {
      const [, , account, user] = subject.split('.');
      const accountId = message.settings?.accountId || account;
      const userId = message.settings?.userId || user;
      if (accountId && userId) this.settings.invalidateUser(accountId, userId);
    });
  }

  directoryChanged(accountId: string): void {
    this.dropAccount(accountId);
    this.bus.publishCore(topics.directoryChanged, [accountId], DirectoryChanged.fromPartial({ accountId }));
  }

  async preferencesChanged(event: PreferencesChanged): Promise<void> {
    const { version } = event;
    const accountId = event.settings?.accountId ?? '';
    const userId = event.settings?.userId ?? '';
    this.settings.invalidateUser(accountId, userId);
    try {
      await this.bus.publish(topics.preferencesChanged, [accountId, userId], event, {
        msgID: `${accountId}.${userId}.${version}`,
      });
    } catch (cause) {
      // The change is saved; the caller's retry saves it again and announces it.
      throw new UnavailableError('the change was saved but could not be announced: retry', { cause });
    }
    this.logger.debug({ accountId, userId, version }, 'preferences changed');
  }

  private dropAccount(accountId: string): void {
    this.directory.invalidateAccount(accountId);
    this.settings.invalidateAccount(accountId);
  }
}
