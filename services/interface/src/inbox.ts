import { createHash } from 'node:crypto';
import {
  InboxOrder,
  Notification,
  Rendered,
  idPattern,
  type Delivery,
  type InboxItem,
  type InboxRead,
  type ListRequest,
  type MarkReadReply,
  type PreferencesChanged,
} from '@herald/contracts';
import type { MessageOutcome, Received } from '@herald/bus';
import { InvalidArgumentError, isHeraldError } from '@herald/errors';
import type { TraceContext as Context } from '@herald/telemetry';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  itemKey,
  type InboxRepository,
  type NewItem,
  type Order,
  type SavedOrder,
  type StoredItem,
} from './inbox-repository.js';

/** Where the inbox announces what changed. */
export interface InboxEvents {
  /** Live: a new item for the user's open interfaces. */
  itemAdded(accountId: string, userId: string, item: InboxItem, context: Context): void;
  /** Stored (for the email digest) and live (for the user's other tabs). */
  read(event: InboxRead, msgID: string): Promise<void>;
}

export const pageSizes = { default: 50, max: 200 } as const;
const maxIdsPerCall = 500;

function checkUser(accountId: string, userId: string): void {
  if (!idPattern.test(accountId)) throw new InvalidArgumentError('account_id', 'must be an account id');
  if (!idPattern.test(userId)) throw new InvalidArgumentError('user_id', 'must be a user id');
}

/** The order asked for; undefined when the caller leaves it to the user's settings. */
function orderOf(order: InboxOrder): Order | undefined {
  switch (order) {
    case InboxOrder.INBOX_ORDER_NEWEST:
      return 'newest';
    case InboxOrder.INBOX_ORDER_UNREAD_FIRST:
      return 'unread_first';
    case InboxOrder.INBOX_ORDER_UNSPECIFIED:
      return undefined;
    case InboxOrder.UNRECOGNIZED:
      throw new InvalidArgumentError('order', 'must be INBOX_ORDER_UNREAD_FIRST or INBOX_ORDER_NEWEST');
  }
}

/** The order a user's settings name; unread first for anything else. */
export function settingsOrder(order: InboxOrder | undefined): Order {
  return order === InboxOrder.INBOX_ORDER_NEWEST ? 'newest' : 'unread_first';
}

/** A delivery as an inbox row; a delivery missing its parts can never be stored. */
function toNewItem(delivery: Delivery): NewItem {
  const { notification, recipient } = delivery;
  if (!notification?.id || !notification.accountId) {
    throw new InvalidArgumentError('notification', 'a delivery must carry its notification');
  }
  if (!recipient?.userId) throw new InvalidArgumentError('recipient.user_id', 'a delivery must name its recipient');
  return {
    accountId: notification.accountId,
    userId: recipient.userId,
    notificationId: notification.id,
    providerId: notification.provider?.id ?? '',
    occurredAt: notification.occurredAt ?? notification.ingestedAt ?? new Date(),
    notification: Notification.encode({ ...notification, recipients: [] }).finish(),
    rendered: Rendered.encode(delivery.rendered ?? { title: '', body: '', link: '' }).finish(),
  };
}

/**
 * The msgID of a read event, from what it means: these items of this user are
 * read. Reading the same items again announces nothing new, so a repeat
 * within the stream's duplicate window is dropped like a retried publish.
 */
export function readMsgID(accountId: string, userId: string, ids: readonly string[]): string {
  const digest = createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('base64url')
    .slice(0, 22);
  return `read.${accountId}.${userId}.${digest}`;
}

/** The msgID of a mark-all-read: the user's read generation (newest read time) after it. */
export function readAllMsgID(accountId: string, userId: string, generation: string): string {
  return `read-all.${accountId}.${userId}.${generation}`;
}

/**
 * A page of a user's inbox: a ListReply whose items are still as stored
 * (their Notification and Rendered encoded), sent on as they are.
 */
export interface ListPage {
  items: StoredItem[];
  /** Empty on the last page. */
  nextCursor: string;
  unreadCount: number;
}

/** The notification center of every user: storing deliveries, listing, reading. */
export class Inbox {
  constructor(
    private readonly repository: InboxRepository,
    private readonly events: InboxEvents,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Stores a batch of interface deliveries in one write; announces only the
   * items that are new. A delivery that can never be stored is dead-lettered
   * on its own while the rest of the batch is stored.
   */
  async store(batch: readonly Received<Delivery>[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    const rows: { received: Received<Delivery>; row: NewItem }[] = [];
    for (const received of batch) {
      try {
        rows.push({ received, row: toNewItem(received.data) });
        outcomes.push({ type: 'ack' });
      } catch (err) {
        if (!isHeraldError(err)) throw err;
        outcomes.push({ type: 'deadLetter', reason: err.message });
      }
    }
    const inserted = await this.repository.insertMany(rows.map((r) => r.row));
    for (const { received, row } of rows) {
      const key = itemKey(row.accountId, row.userId, row.notificationId);
      if (!inserted.delete(key)) continue;
      const { notification, rendered } = received.data;
      this.events.itemAdded(
        row.accountId,
        row.userId,
        { notification: notification && { ...notification, recipients: [] }, rendered, readAt: undefined },
        received.context,
      );
    }
    return outcomes;
  }

  async list(request: ListRequest): Promise<ListPage> {
    checkUser(request.accountId, request.userId);
    const asked = orderOf(request.order);
    if (request.pageSize > pageSizes.max) {
      throw new InvalidArgumentError('page_size', `must be at most ${pageSizes.max}`);
    }
    const cursor = request.cursor ? decodeCursor(request.cursor, asked) : undefined;
    // Unread first by default (seeds/002), unless the user switched it in their settings.
    const page = await this.repository.page(
      request.accountId,
      request.userId,
      asked ?? cursor?.order,
      request.pageSize || pageSizes.default,
      cursor?.position,
    );
    return {
      items: page.items,
      nextCursor: page.next ? encodeCursor(page.order, page.next) : '',
      unreadCount: page.unreadCount,
    };
  }

  /** Keeps the order each user chose, from a batch of preferences.changed events. */
  async keepOrders(batch: readonly Received<PreferencesChanged>[]): Promise<void> {
    const latest = new Map<string, SavedOrder>();
    for (const { data } of batch) {
      const { settings, version } = data;
      if (!settings?.accountId || !settings.userId) continue;
      const key = `${settings.accountId}/${settings.userId}`;
      if ((latest.get(key)?.version ?? -1) >= version) continue;
      latest.set(key, {
        accountId: settings.accountId,
        userId: settings.userId,
        order: settingsOrder(settings.inboxOrder),
        version,
      });
    }
    await this.repository.saveOrders([...latest.values()]);
  }

  async markRead(accountId: string, userId: string, ids: readonly string[]): Promise<MarkReadReply> {
    checkUser(accountId, userId);
    if (ids.length === 0) throw new InvalidArgumentError('notification_ids', 'must name at least one item');
    if (ids.length > maxIdsPerCall) {
      throw new InvalidArgumentError('notification_ids', `at most ${maxIdsPerCall} per call`);
    }
    ids.forEach((id, i) => {
      if (id.length === 0 || id.length > 64 || id.includes('\0'))
        throw new InvalidArgumentError(`notification_ids[${i}]`, 'is not an id');
    });
    const readAt = this.now();
    const { found, updated } = await this.repository.markRead(accountId, userId, [...new Set(ids)], readAt);
    const unreadCount = await this.repository.unreadCount(accountId, userId);
    if (found.length > 0) {
      await this.events.read(
        { accountId, userId, notificationIds: found, all: false, readAt, unreadCount },
        readMsgID(accountId, userId, found),
      );
    }
    return { updated, unreadCount, foundIds: found };
  }

  async markAllRead(accountId: string, userId: string): Promise<MarkReadReply> {
    checkUser(accountId, userId);
    const readAt = this.now();
    const { updated, generation } = await this.repository.markAllRead(accountId, userId, readAt);
    // Items may arrive between the update and the count: the event tells the count as it now is.
    const unreadCount = await this.repository.unreadCount(accountId, userId);
    await this.events.read(
      { accountId, userId, notificationIds: [], all: true, readAt, unreadCount },
      readAllMsgID(accountId, userId, generation),
    );
    return { updated, unreadCount, foundIds: [] };
  }

  async unreadCount(accountId: string, userId: string): Promise<number> {
    checkUser(accountId, userId);
    return this.repository.unreadCount(accountId, userId);
  }
}
