import { InboxClient } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';

export interface UserRef {
  readonly accountId: string;
  readonly userId: string;
}

/** The badge of each user: how many items are unread in their notification center. */
export interface UnreadCounts {
  /** Keyed by userKey; a user whose count could not be had is missing (the push then leaves the badge as it is). */
  of(users: readonly UserRef[]): Promise<Map<string, number>>;
  close(): void;
}

export function userKey(user: UserRef): string {
  return `${user.accountId}/${user.userId}`;
}

/**
 * The counts from the interface's Inbox, the one holder of the read state:
 * one call per user of a batch, all at once, each with a short deadline, so a
 * slow or absent interface costs the pushes their badge, never the pushes.
 * The interface stores the same notification in parallel, so a push that
 * overtakes it counts one fewer; the next push or read sets the badge right.
 */
export class InboxUnreadCounts implements UnreadCounts {
  private readonly client: InboxClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
    private readonly logger: Logger,
  ) {
    this.client = new InboxClient(address, ...clientOptions());
  }

  async of(users: readonly UserRef[]): Promise<Map<string, number>> {
    const unique = new Map(users.map((u) => [userKey(u), u]));
    const counts = new Map<string, number>();
    await Promise.all(
      [...unique].map(async ([key, user]) => {
        try {
          const reply = await callUnary(this.client.unreadCount.bind(this.client), user, {
            deadlineMs: this.deadlineMs,
          });
          counts.set(key, reply.unreadCount);
        } catch (err) {
          this.logger.warn({ err, accountId: user.accountId, userId: user.userId }, 'unread count unknown: no badge');
        }
      }),
    );
    return counts;
  }

  close(): void {
    this.client.close();
  }
}
