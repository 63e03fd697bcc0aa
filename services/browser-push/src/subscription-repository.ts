import { randomUUID } from 'node:crypto';
import type { Pool } from '@herald/db';

export interface StoredSubscription {
  readonly id: string;
  readonly accountId: string;
  readonly userId: string;
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
  readonly expirationTime: Date | undefined;
  readonly createdAt: Date;
}

export type NewSubscription = Omit<StoredSubscription, 'id' | 'createdAt'>;

interface Row {
  id: string;
  account_id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  expiration_time: Date | null;
  created_at: Date;
}

const columns = 'id, account_id, user_id, endpoint, p256dh, auth, expiration_time, created_at';

function toSubscription(row: Row): StoredSubscription {
  return {
    id: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    expirationTime: row.expiration_time ?? undefined,
    createdAt: row.created_at,
  };
}

/** The push_subscriptions table: one row per endpoint, held by one user at a time. */
export class SubscriptionRepository {
  constructor(private readonly db: Pool) {}

  /**
   * Inserts the endpoint, or updates its keys; an endpoint another user held
   * moves to this one and counts as created now.
   */
  async upsert(subscription: NewSubscription, at: Date): Promise<StoredSubscription> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO push_subscriptions
         (id, endpoint, account_id, user_id, p256dh, auth, expiration_time, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (endpoint) DO UPDATE SET
         created_at = CASE
           WHEN (push_subscriptions.account_id, push_subscriptions.user_id) = (EXCLUDED.account_id, EXCLUDED.user_id)
           THEN push_subscriptions.created_at ELSE EXCLUDED.created_at END,
         account_id = EXCLUDED.account_id, user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh,
         auth = EXCLUDED.auth, expiration_time = EXCLUDED.expiration_time, updated_at = EXCLUDED.updated_at
       RETURNING ${columns}`,
      [
        randomUUID(),
        subscription.endpoint,
        subscription.accountId,
        subscription.userId,
        subscription.p256dh,
        subscription.auth,
        subscription.expirationTime ?? null,
        at,
      ],
    );
    return toSubscription(rows[0]!);
  }

  async listOf(accountId: string, userId: string): Promise<StoredSubscription[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM push_subscriptions WHERE account_id = $1 AND user_id = $2
       ORDER BY created_at DESC, id`,
      [accountId, userId],
    );
    return rows.map(toSubscription);
  }

  /** The subscriptions of many users at once: one query for a batch of deliveries. */
  async ofUsers(users: readonly { accountId: string; userId: string }[]): Promise<StoredSubscription[]> {
    if (users.length === 0) return [];
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM push_subscriptions
       WHERE (account_id, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY created_at DESC, id`,
      [users.map((u) => u.accountId), users.map((u) => u.userId)],
    );
    return rows.map(toSubscription);
  }

  /** Removes one of the user's subscriptions; false when the user has none with that id. */
  async remove(accountId: string, userId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM push_subscriptions WHERE id = $1::uuid AND account_id = $2 AND user_id = $3',
      [id, accountId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Removes subscriptions a push service called gone; one registered again since (new keys) is kept. */
  async prune(subscriptions: readonly { id: string; p256dh: string }[]): Promise<number> {
    if (subscriptions.length === 0) return 0;
    const { rowCount } = await this.db.query(
      'DELETE FROM push_subscriptions WHERE (id, p256dh) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))',
      [subscriptions.map((s) => s.id), subscriptions.map((s) => s.p256dh)],
    );
    return rowCount ?? 0;
  }
}
