import pg from 'pg';
import { Notification } from '@herald/contracts';

const textPrefix = 'fault-suite ';

/**
 * Reads the interface's inbox table straight from PostgreSQL: what was stored,
 * and how many times, told apart by the text each notification carries (its
 * idempotency key), not by the id the services derived from it.
 */
export class Census {
  private readonly pool: pg.Pool;

  constructor(url: string, schema: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
    // The suite stops PostgreSQL on purpose: an idle connection cut by it is no news.
    this.pool.on('error', () => undefined);
  }

  /** Whether the notification with this id is in an inbox. */
  async has(id: string): Promise<boolean> {
    const { rows } = await this.pool.query('SELECT 1 FROM inbox_items WHERE notification_id = $1 LIMIT 1', [id]);
    return rows.length > 0;
  }

  /** Stored rows per idempotency key. */
  async rowsByKey(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ notification: Buffer }>('SELECT notification FROM inbox_items');
    const counts = new Map<string, number>();
    for (const row of rows) {
      const { body } = Notification.decode(row.notification);
      const text = body?.$case === 'error' ? body.value.text : '';
      if (!text.startsWith(textPrefix)) continue;
      const key = text.slice(textPrefix.length);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export const notificationText = (key: string): string => `${textPrefix}${key}`;
