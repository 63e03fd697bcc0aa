import { follow, type Bus, type Follower } from '@herald/bus';
import { DirectoryChanged, topics, type PreferencesChanged } from '@herald/contracts';
import { UnavailableError } from '@herald/errors';
import type { Logger } from '@herald/telemetry';
import type { DirectoryCache } from './directory-cache.js';
import type { SettingsCache } from './settings-cache.js';

/** What the Directory and Preferences services tell the world after a write. */
export interface ChangeNotifier {
  /**
   * After any write to an account's directory: every replica drops what it
   * cached of the account. `change` names the write once and for all (e.g.
   * `key.<id>.revoked`): it makes the msgID, so a retried announcement is
   * stored once.
   */
  directoryChanged(accountId: string, change: string): Promise<void>;
  /** After any change of a user's settings or profile; its `version` makes the msgID unique per change. */
  preferencesChanged(event: PreferencesChanged): Promise<void>;
}

/**
 * Keeps this replica's caches true: drops the local entries at once on a
 * local write, announces the change on a stream, and drops the entries of
 * the changes announced by the other replicas. The announcements are
 * followed in order and replayed after a lost connection, so a replica that
 * was cut off catches up as soon as it is back; the caches' TTL bounds the
 * staleness of one that stays cut off.
 */
export class ChangeFeed implements ChangeNotifier {
  private readonly bus: Bus;
  private readonly directory: DirectoryCache;
  private readonly settings: SettingsCache;
  private readonly personTokens: { forgetAccount(accountId: string): void } | undefined;
  private readonly logger: Logger;
  private readonly followers: Follower[] = [];

  constructor(deps: {
    bus: Bus;
    directory: DirectoryCache;
    settings: SettingsCache;
    /** The signing secrets kept for person tokens, dropped with the rest of the account. */
    personTokens?: { forgetAccount(accountId: string): void };
    logger: Logger;
  }) {
    this.bus = deps.bus;
    this.directory = deps.directory;
    this.settings = deps.settings;
    this.personTokens = deps.personTokens;
    this.logger = deps.logger;
  }

  /** Follows the changes of every account, from now on. */
  async listen(): Promise<void> {
    this.followers.push(
      await follow(
        this.bus,
        topics.directoryChanged,
        (message, subject) => {
          const accountId = message.accountId || subject.split('.')[2];
          if (accountId) this.dropAccount(accountId);
        },
        this.logger,
      ),
      await follow(
        this.bus,
        topics.preferencesChanged,
        (message, subject) => {
          const [, , account, user] = subject.split('.');
          const accountId = message.settings?.accountId || account;
          const userId = message.settings?.userId || user;
          if (accountId && userId) this.settings.invalidateUser(accountId, userId);
        },
        this.logger,
      ),
    );
  }

  /** Stops following (before the bus closes). */
  async stop(): Promise<void> {
    await Promise.all(this.followers.splice(0).map((f) => f.stop()));
  }

  async directoryChanged(accountId: string, change: string): Promise<void> {
    this.dropAccount(accountId);
    await this.announce(() =>
      this.bus.publish(topics.directoryChanged, [accountId], DirectoryChanged.fromPartial({ accountId }), {
        msgID: `${accountId}.${change}`,
      }),
    );
    this.logger.debug({ accountId, change }, 'directory changed');
  }

  async preferencesChanged(event: PreferencesChanged): Promise<void> {
    const { version } = event;
    const accountId = event.settings?.accountId ?? '';
    const userId = event.settings?.userId ?? '';
    this.settings.invalidateUser(accountId, userId);
    await this.announce(() =>
      this.bus.publish(topics.preferencesChanged, [accountId, userId], event, {
        msgID: `${accountId}.${userId}.${version}`,
      }),
    );
    this.logger.debug({ accountId, userId, version }, 'preferences changed');
  }

  private async announce(publish: () => Promise<unknown>): Promise<void> {
    try {
      await publish();
    } catch (cause) {
      // The change is saved; the caller's retry saves it again and announces it.
      throw new UnavailableError('the change was saved but could not be announced: retry', { cause });
    }
  }

  private dropAccount(accountId: string): void {
    this.directory.invalidateAccount(accountId);
    this.settings.invalidateAccount(accountId);
    this.personTokens?.forgetAccount(accountId);
  }
}
