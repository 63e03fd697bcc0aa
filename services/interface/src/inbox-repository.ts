import pg from 'pg';
import type { Pool } from '@herald/db';

export interface NewItem {
  accountId: string;
  userId: string;
  notificationId: string;
  providerId: string;
  occurredAt: Date;
  /** herald.v1.Notification, encoded. */
  notification: Uint8Array;
  /** herald.v1.Rendered, encoded. */
  rendered: Uint8Array;
}

/** An item of a page, as stored: its parts still encoded. */
export interface StoredItem {
  /** herald.v1.Notification, encoded. */
  notification: Uint8Array;
  /** herald.v1.Rendered, encoded. */
  rendered: Uint8Array;
  /** Unset while unread. */
  readAt: Date | undefined;
}

export type Order = 'unread_first' | 'newest';

export interface SavedOrder {
  accountId: string;
  userId: string;
  order: Order;
  version: number;
}

/** Where a page ends: the sort key of its last item. */
export interface Position {
  isRead: boolean;
  occurredAt: Date;
  notificationId: string;
}

export interface ReadResult {
  /** Every requested id that is in the inbox (now read). */
  found: string[];
  /** How many of them were unread before this call. */
  updated: number;
}

const columns = 'notification_id, occurred_at, read_at, notification, rendered';

/** A page's row; its timestamps as PostgreSQL writes them (see `timestampsAsText`). */
interface Row {
  notification_id: string;
  occurred_at: string;
  read_at: string | null;
  notification: Buffer;
  rendered: Buffer;
}

/** A row of a page: the order and the count, and an item unless the page is empty. */
type PageRow = { inbox_order: Order; unread_count: number } & (Row | { [K in keyof Row]: null });

/** The most items a page may ask for: its size is written into the statement (see `page`). */
const maxPageItems = 1000;

const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => Date;

/**
 * A page leaves its timestamps as text: it parses each read time, and the
 * occurrence time of the one item a cursor starts from, not every column of
 * every row.
 */
const timestampsAsText = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.TIMESTAMPTZ
      ? (text: string) => text
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The inbox table; every query is scoped to one account and user. */
export class InboxRepository {
  constructor(private readonly pool: Pool) {}

  /** Inserts what is new in one statement; returns the keys (`account/user/notification`) that were new. */
  async insertMany(items: readonly NewItem[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const { rows } = await this.pool.query<{ account_id: string; user_id: string; notification_id: string }>(
      `INSERT INTO inbox_items (account_id, user_id, notification_id, provider_id, occurred_at, notification, rendered)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bytea[], $7::bytea[])
       ON CONFLICT DO NOTHING
       RETURNING account_id, user_id, notification_id`,
      [
        items.map((i) => i.accountId),
        items.map((i) => i.userId),
        items.map((i) => i.notificationId),
        items.map((i) => i.providerId),
        items.map((i) => i.occurredAt),
        items.map((i) => Buffer.from(i.notification)),
        items.map((i) => Buffer.from(i.rendered)),
      ],
    );
    return new Set(rows.map((r) => itemKey(r.account_id, r.user_id, r.notification_id)));
  }

  /**
   * A page in one statement: up to `limit` items after `after`, the position
   * to continue from when there are more, the unread count, and the order
   * used: `order`, else the one the user saved, else unread first. A page
   * costs one round trip, whichever order it turns out to be in: both
   * orders' scans are in the statement, and the one not chosen stops at its
   * one-time filter without reading a row.
   *
   * The statement is a named one, parsed once per connection, and its size
   * is written into its text: with `LIMIT $n` PostgreSQL's generic plan
   * guesses a tenth of the user's rows, looks dearer than planning each call
   * anew, and every call would be planned again; with the number in the
   * text, the generic plan is taken after the first few calls.
   */
  async page(
    accountId: string,
    userId: string,
    order: Order | undefined,
    limit: number,
    after: Position | undefined,
  ): Promise<{ items: StoredItem[]; next: Position | undefined; unreadCount: number; order: Order }> {
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageItems) {
      throw new RangeError(`a page holds 1 to ${maxPageItems} items, not ${limit}`);
    }
    const params: unknown[] = [accountId, userId, order ?? null];
    let unreadAfter = '';
    let newestAfter = '';
    let variant = 'first';
    if (after) {
      params.push(after.occurredAt, after.notificationId);
      const older = '(occurred_at, notification_id) < ($4, $5)';
      // After a read item come the older read ones: one range of the index. After an
      // unread item come the older unread ones, then every read one.
      unreadAfter = after.isRead ? ` AND is_read AND ${older}` : ` AND (is_read OR ${older})`;
      newestAfter = ` AND ${older}`;
      variant = after.isRead ? 'after-read' : 'after-unread';
    }
    const mine = 'account_id = $1 AND user_id = $2';
    // One more than the page: whether there is a next one.
    const rowsWanted = limit + 1;
    const { rows } = await this.pool.query<PageRow>({
      name: `inbox-page-${variant}-${rowsWanted}`,
      text: `WITH chosen AS (
         SELECT coalesce($3::text, (SELECT inbox_order FROM inbox_orders WHERE ${mine}), 'unread_first') AS inbox_order
       ), page AS (
         (SELECT ${columns}, is_read FROM inbox_items
          WHERE ${mine} AND (SELECT inbox_order FROM chosen) = 'unread_first'${unreadAfter}
          ORDER BY is_read ASC, occurred_at DESC, notification_id DESC LIMIT ${rowsWanted})
         UNION ALL
         (SELECT ${columns}, is_read FROM inbox_items
          WHERE ${mine} AND (SELECT inbox_order FROM chosen) = 'newest'${newestAfter}
          ORDER BY occurred_at DESC, notification_id DESC LIMIT ${rowsWanted})
       )
       SELECT chosen.inbox_order,
              (SELECT count(*)::int FROM inbox_items WHERE ${mine} AND is_read = false) AS unread_count,
              page.*
       FROM chosen LEFT JOIN page ON true
       ORDER BY CASE WHEN chosen.inbox_order = 'unread_first' THEN page.is_read END ASC,
                page.occurred_at DESC, page.notification_id DESC`,
      values: params,
      types: timestampsAsText,
    });
    const first = rows[0];
    const chosen = first?.inbox_order ?? 'unread_first';
    const found = rows.filter((r): r is PageRow & Row => r.notification_id !== null);
    const items = found.slice(0, limit).map(toStored);
    const last = found.length > limit ? found[limit - 1] : undefined;
    const next = last && {
      isRead: last.read_at !== null,
      occurredAt: parseTimestamp(last.occurred_at),
      notificationId: last.notification_id,
    };
    return { items, next, unreadCount: first?.unread_count ?? 0, order: chosen };
  }

  async markRead(accountId: string, userId: string, ids: readonly string[], readAt: Date): Promise<ReadResult> {
    const { rows } = await this.pool.query<{ notification_id: string; changed: boolean }>(
      `WITH target AS (
         SELECT notification_id, read_at FROM inbox_items
         WHERE account_id = $1 AND user_id = $2 AND notification_id = ANY($3::text[])
         FOR UPDATE
       ), changed AS (
         UPDATE inbox_items i SET read_at = $4
         FROM target t
         WHERE i.account_id = $1 AND i.user_id = $2 AND i.notification_id = t.notification_id AND t.read_at IS NULL
         RETURNING i.notification_id
       )
       SELECT t.notification_id, c.notification_id IS NOT NULL AS changed
       FROM target t LEFT JOIN changed c USING (notification_id)`,
      [accountId, userId, ids, readAt],
    );
    return { found: rows.map((r) => r.notification_id), updated: rows.filter((r) => r.changed).length };
  }

  /**
   * Marks every unread item read. `generation` is the newest read time of the
   * user's items afterwards (µs since the epoch, '0' for an empty inbox): the
   * same for a repeated call that found nothing new to read.
   */
  async markAllRead(accountId: string, userId: string, readAt: Date): Promise<{ updated: number; generation: string }> {
    const { rows } = await this.pool.query<{ updated: number; generation: string | null }>(
      `WITH changed AS (
         UPDATE inbox_items SET read_at = $3
         WHERE account_id = $1 AND user_id = $2 AND read_at IS NULL
         RETURNING read_at
       )
       SELECT (SELECT count(*) FROM changed)::int AS updated,
              (extract(epoch FROM greatest(
                 (SELECT max(read_at) FROM changed),
                 (SELECT max(read_at) FROM inbox_items WHERE account_id = $1 AND user_id = $2)
               )) * 1000000)::bigint::text AS generation`,
      [accountId, userId, readAt],
    );
    return { updated: rows[0]?.updated ?? 0, generation: rows[0]?.generation ?? '0' };
  }

  /** Keeps each user's chosen order, the newest version of it. */
  async saveOrders(orders: readonly SavedOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await this.pool.query(
      `INSERT INTO inbox_orders (account_id, user_id, inbox_order, version)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (account_id, user_id) DO UPDATE
         SET inbox_order = excluded.inbox_order, version = excluded.version
         WHERE inbox_orders.version < excluded.version`,
      [
        orders.map((o) => o.accountId),
        orders.map((o) => o.userId),
        orders.map((o) => o.order),
        orders.map((o) => o.version),
      ],
    );
  }

  async unreadCount(accountId: string, userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM inbox_items WHERE account_id = $1 AND user_id = $2 AND is_read = false',
      [accountId, userId],
    );
    return rows[0]?.n ?? 0;
  }
}

export function itemKey(accountId: string, userId: string, notificationId: string): string {
  return `${accountId}/${userId}/${notificationId}`;
}

function toStored(row: Row): StoredItem {
  return {
    notification: row.notification,
    rendered: row.rendered,
    readAt: row.read_at === null ? undefined : parseTimestamp(row.read_at),
  };
}
