import type { Pool, PoolClient } from '@herald/db';

/** The folder of the ledger's migration: a channel service migrates it with its own. */
export const channelMigrations = new URL('../migrations/', import.meta.url);

export interface SentRecord {
  readonly deliveryId: string;
  readonly sentAt: Date;
  readonly providerMessageId: string;
}

interface Row {
  delivery_id: string;
  sent_at: Date;
  provider_message_id: string;
}

/**
 * The deliveries a channel handed to its provider, in the service's own
 * schema. A sender checks it before it sends and records before it acks, so a
 * redelivered message sends nothing twice.
 */
export class SentLedger {
  constructor(private readonly db: Pool | PoolClient) {}

  /** The records of those of `deliveryIds` already sent, by delivery id. */
  async sentOf(deliveryIds: readonly string[]): Promise<Map<string, SentRecord>> {
    if (deliveryIds.length === 0) return new Map();
    const { rows } = await this.db.query<Row>(
      'SELECT delivery_id, sent_at, provider_message_id FROM sent_deliveries WHERE delivery_id = ANY($1::text[])',
      [deliveryIds],
    );
    return new Map(rows.map((r) => [r.delivery_id, toRecord(r)]));
  }

  /** The record of one delivery, if it was sent. */
  async sent(deliveryId: string): Promise<SentRecord | undefined> {
    return (await this.sentOf([deliveryId])).get(deliveryId);
  }

  /** Records deliveries as sent; one already recorded keeps its first record. */
  async record(records: readonly SentRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.query(
      `INSERT INTO sent_deliveries (delivery_id, sent_at, provider_message_id)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[])
       ON CONFLICT (delivery_id) DO NOTHING`,
      [records.map((r) => r.deliveryId), records.map((r) => r.sentAt), records.map((r) => r.providerMessageId)],
    );
  }
}

function toRecord(row: Row): SentRecord {
  return { deliveryId: row.delivery_id, sentAt: row.sent_at, providerMessageId: row.provider_message_id };
}
