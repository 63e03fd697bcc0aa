import type { DeliveryOutcome } from '@herald/contracts';
import type { Pool } from '@herald/db';

interface Row {
  account_id: string;
  user_id: string;
  notification_id: string;
  delivery_id: string;
  status: DeliveryOutcome['status'];
  channel: DeliveryOutcome['channel'];
  reason: string;
  tries: number;
  provider_message_id: string;
  at: Date;
}

/** The delivery_outcomes table; reads are scoped to one account, user and item. */
export class DeliveryLogRepository {
  constructor(private readonly pool: Pool) {}

  /** Stores outcomes in one statement; one already stored for its delivery and status is kept. */
  async insertMany(outcomes: readonly DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.pool.query(
      `INSERT INTO delivery_outcomes
         (account_id, user_id, notification_id, delivery_id, status, channel, reason, tries, provider_message_id, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::int[], $9::text[], $10::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        outcomes.map((o) => o.accountId),
        outcomes.map((o) => o.userId),
        outcomes.map((o) => o.notificationId),
        outcomes.map((o) => o.deliveryId),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.channel),
        outcomes.map((o) => o.reason),
        outcomes.map((o) => o.tries),
        outcomes.map((o) => o.providerMessageId),
        outcomes.map((o) => o.at ?? new Date(0)),
      ],
    );
  }

  /** Whether the user has this item in their notification center. */
  async hasItem(accountId: string, userId: string, notificationId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM inbox_items WHERE account_id = $1 AND user_id = $2 AND notification_id = $3',
      [accountId, userId, notificationId],
    );
    return rowCount === 1;
  }

  /** Every outcome of one item, oldest first. */
  async list(accountId: string, userId: string, notificationId: string): Promise<DeliveryOutcome[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM delivery_outcomes
       WHERE account_id = $1 AND user_id = $2 AND notification_id = $3
       ORDER BY at, delivery_id, status`,
      [accountId, userId, notificationId],
    );
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      notificationId: r.notification_id,
      accountId: r.account_id,
      userId: r.user_id,
      channel: r.channel,
      status: r.status,
      reason: r.reason,
      tries: r.tries,
      providerMessageId: r.provider_message_id,
      at: r.at,
    }));
  }
}
