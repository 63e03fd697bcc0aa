import { InboxOrder, type InboxClient, type InboxItem } from '@herald/contracts';
import { callUnary } from '@herald/rpc';
import type { CatchUp } from './live-connection.js';

/** Where a reconnecting feed finds the items it missed. */
export interface LiveInbox {
  /**
   * The items newer than `afterId`, oldest first ('' : from the first item).
   * Undefined: no items, only the newest id and the count of a fresh feed.
   */
  listSince(account: string, user: string, afterId: string | undefined): Promise<CatchUp>;
}

export interface GrpcLiveInboxOptions {
  deadlineMs: number;
  /** At most this many missed items are sent; a client gone longer reloads its list. */
  maxItems: number;
}

const pageSize = 100;

/** The catch-up of the live feed over the Inbox gRPC service: its newest-first list, read until the last seen item. */
export class GrpcLiveInbox implements LiveInbox {
  constructor(
    private readonly client: InboxClient,
    private readonly options: GrpcLiveInboxOptions,
  ) {}

  async listSince(account: string, user: string, afterId: string | undefined): Promise<CatchUp> {
    const list = this.client.list.bind(this.client);
    const settings = { deadlineMs: this.options.deadlineMs };
    const request = { accountId: account, userId: user, order: InboxOrder.INBOX_ORDER_NEWEST };
    if (afterId === undefined) {
      const reply = await callUnary(list, { ...request, pageSize: 1, cursor: '' }, settings);
      return { items: [], newestId: reply.items[0]?.notification?.id ?? '', unreadCount: reply.unreadCount };
    }
    const missed: InboxItem[] = [];
    let cursor = '';
    let unreadCount: number | undefined;
    for (;;) {
      const size = Math.min(pageSize, this.options.maxItems - missed.length + 1);
      const reply = await callUnary(list, { ...request, pageSize: size, cursor }, settings);
      unreadCount ??= reply.unreadCount;
      const seen = reply.items.findIndex((item) => item.notification?.id === afterId);
      missed.push(...(seen === -1 ? reply.items : reply.items.slice(0, seen)));
      if (seen !== -1 || !reply.nextCursor || missed.length >= this.options.maxItems) break;
      cursor = reply.nextCursor;
    }
    const items = missed.slice(0, this.options.maxItems).reverse();
    return { items, newestId: missed[0]?.notification?.id ?? afterId, unreadCount: unreadCount ?? 0 };
  }
}
