import type { Pool, PoolClient } from '@herald/db';

export type EmailMode = 'immediate' | 'daily';

/** A user as the email service knows them. */
export interface RecipientRecord {
  accountId: string;
  userId: string;
  email: string;
  locale: string;
  timezone: string;
  emailMode: EmailMode;
  digestTime: string;
  version: number;
  nextDigestAt: Date | null;
  /** Where the next digest's window starts when not at the previous day's slot (after a change of time). */
  windowStart: Date | null;
}

export interface HeldItem {
  accountId: string;
  userId: string;
  notificationId: string;
  deliveryId: string;
  arrivedAt: Date;
  /** herald.v1.Notification, encoded. */
  notification: Uint8Array;
}

interface RecipientRow {
  account_id: string;
  user_id: string;
  email: string;
  locale: string;
  timezone: string;
  email_mode: EmailMode;
  digest_time: string;
  version: string;
  next_digest_at: Date | null;
  window_start: Date | null;
}

const recipientColumns =
  'account_id, user_id, email, locale, timezone, email_mode, digest_time, version, next_digest_at, window_start';

function toRecipient(row: RecipientRow): RecipientRecord {
  return {
    accountId: row.account_id,
    userId: row.user_id,
    email: row.email,
    locale: row.locale,
    timezone: row.timezone,
    emailMode: row.email_mode,
    digestTime: row.digest_time,
    version: Number(row.version),
    nextDigestAt: row.next_digest_at,
    windowStart: row.window_start,
  };
}

/** The digest's tables: recipients and their schedule, held items, early reads. */
export class DigestRepository {
  constructor(private readonly pool: Pool) {}

  async recipient(accountId: string, userId: string): Promise<RecipientRecord | undefined> {
    const { rows } = await this.pool.query<RecipientRow>(
      `SELECT ${recipientColumns} FROM recipients WHERE account_id = $1 AND user_id = $2`,
      [accountId, userId],
    );
    return rows[0] && toRecipient(rows[0]);
  }

  /** Writes a recipient when `version` is newer than the stored one (or none is stored); true when written. */
  async saveRecipient(r: RecipientRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO recipients (${recipientColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (account_id, user_id) DO UPDATE SET
         email = excluded.email, locale = excluded.locale, timezone = excluded.timezone,
         email_mode = excluded.email_mode, digest_time = excluded.digest_time, version = excluded.version,
         next_digest_at = excluded.next_digest_at, window_start = excluded.window_start
       WHERE recipients.version < excluded.version`,
      [
        r.accountId,
        r.userId,
        r.email,
        r.locale,
        r.timezone,
        r.emailMode,
        r.digestTime,
        r.version,
        r.nextDigestAt,
        r.windowStart,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Sets the slot of a user who waits for none yet. */
  async scheduleIfIdle(accountId: string, userId: string, at: Date): Promise<void> {
    await this.pool.query(
      `UPDATE recipients SET next_digest_at = $3
       WHERE account_id = $1 AND user_id = $2 AND next_digest_at IS NULL`,
      [accountId, userId, at],
    );
  }

  /** Holds items for the digest; one already held stays as it is. Reads that came first apply. */
  async hold(items: readonly HeldItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.pool.query(
      `INSERT INTO digest_items (account_id, user_id, notification_id, delivery_id, arrived_at, notification, read_at)
       SELECT i.*, r.read_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bytea[])
         AS i(account_id, user_id, notification_id, delivery_id, arrived_at, notification)
       LEFT JOIN early_reads r USING (account_id, user_id, notification_id)
       ON CONFLICT DO NOTHING`,
      [
        items.map((i) => i.accountId),
        items.map((i) => i.userId),
        items.map((i) => i.notificationId),
        items.map((i) => i.deliveryId),
        items.map((i) => i.arrivedAt),
        items.map((i) => Buffer.from(i.notification)),
      ],
    );
  }

  /** Marks items read; ids not held yet are kept as early reads. */
  async markRead(accountId: string, userId: string, ids: readonly string[], readAt: Date): Promise<void> {
    await this.pool.query(
      `WITH marked AS (
         UPDATE digest_items SET read_at = $4
         WHERE account_id = $1 AND user_id = $2 AND notification_id = ANY($3::text[]) AND read_at IS NULL
         RETURNING notification_id
       )
       INSERT INTO early_reads (account_id, user_id, notification_id, read_at)
       SELECT $1, $2, id, $4 FROM unnest($3::text[]) AS id
       WHERE NOT EXISTS (SELECT 1 FROM digest_items d
                         WHERE d.account_id = $1 AND d.user_id = $2 AND d.notification_id = id)
       ON CONFLICT DO NOTHING`,
      [accountId, userId, ids, readAt],
    );
  }

  /** Marks read every item held for the user that had arrived by `readAt`. */
  async markAllRead(accountId: string, userId: string, readAt: Date): Promise<void> {
    await this.pool.query(
      `UPDATE digest_items SET read_at = $3
       WHERE account_id = $1 AND user_id = $2 AND read_at IS NULL AND (arrived_at <= $3 OR received_at <= $3)`,
      [accountId, userId, readAt],
    );
  }

  /**
   * Claims up to `limit` users whose slot is due, locked until `client`'s
   * transaction ends; rows another scheduler holds are skipped.
   */
  async claimDue(client: PoolClient, now: Date, limit: number): Promise<RecipientRecord[]> {
    const { rows } = await client.query<RecipientRow>(
      `SELECT ${recipientColumns} FROM recipients
       WHERE next_digest_at IS NOT NULL AND next_digest_at <= $1
       ORDER BY next_digest_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toRecipient);
  }

  /** The unread items of each claimed user that arrived in (start, end], newest first. */
  async unreadIn(
    client: PoolClient,
    windows: readonly { accountId: string; userId: string; start: Date; end: Date }[],
  ): Promise<HeldItem[]> {
    if (windows.length === 0) return [];
    const { rows } = await client.query<{
      account_id: string;
      user_id: string;
      notification_id: string;
      delivery_id: string;
      arrived_at: Date;
      notification: Buffer;
    }>(
      `SELECT d.account_id, d.user_id, d.notification_id, d.delivery_id, d.arrived_at, d.notification
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS w(account_id, user_id, start_at, end_at)
       JOIN digest_items d ON d.account_id = w.account_id AND d.user_id = w.user_id
        AND d.arrived_at > w.start_at AND d.arrived_at <= w.end_at AND d.read_at IS NULL
       ORDER BY d.account_id, d.user_id, d.arrived_at DESC, d.notification_id DESC`,
      [
        windows.map((w) => w.accountId),
        windows.map((w) => w.userId),
        windows.map((w) => w.start),
        windows.map((w) => w.end),
      ],
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      userId: r.user_id,
      notificationId: r.notification_id,
      deliveryId: r.delivery_id,
      arrivedAt: r.arrived_at,
      notification: r.notification,
    }));
  }

  /** Moves claimed users on to their next slot (NULL: none due), the window back to a day. */
  async reschedule(
    client: PoolClient,
    next: readonly { accountId: string; userId: string; at: Date | null }[],
  ): Promise<void> {
    if (next.length === 0) return;
    await client.query(
      `UPDATE recipients r SET next_digest_at = n.at, window_start = NULL
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS n(account_id, user_id, at)
       WHERE r.account_id = n.account_id AND r.user_id = n.user_id`,
      [next.map((n) => n.accountId), next.map((n) => n.userId), next.map((n) => n.at)],
    );
  }
}
