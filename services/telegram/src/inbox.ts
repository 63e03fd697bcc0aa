import { InboxClient } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import type { UserRef } from './link-repository.js';

/** Marks items read in the interface's Inbox: the one read state, for every tab, channel and digest. */
export interface ReadMarker {
  /** The asked-for ids that are items of this user. */
  markRead(user: UserRef, notificationIds: readonly string[]): Promise<string[]>;
  close(): void;
}

export class InboxReadMarker implements ReadMarker {
  private readonly client: InboxClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new InboxClient(address, ...clientOptions());
  }

  async markRead(user: UserRef, notificationIds: readonly string[]): Promise<string[]> {
    const reply = await callUnary(
      this.client.markRead.bind(this.client),
      { accountId: user.accountId, userId: user.userId, notificationIds: [...notificationIds] },
      { deadlineMs: this.deadlineMs },
    );
    return reply.foundIds;
  }

  close(): void {
    this.client.close();
  }
}
