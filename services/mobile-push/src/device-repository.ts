import { randomUUID } from 'node:crypto';
import type { Pool } from '@herald/db';

export type Platform = 'android' | 'ios';

export interface StoredDevice {
  readonly id: string;
  readonly accountId: string;
  readonly userId: string;
  readonly token: string;
  readonly platform: Platform;
  readonly appVersion: string;
  readonly deviceName: string;
  readonly registeredAt: Date;
}

export type NewDevice = Omit<StoredDevice, 'id' | 'registeredAt'>;

interface Row {
  id: string;
  account_id: string;
  user_id: string;
  token: string;
  platform: Platform;
  app_version: string;
  device_name: string;
  registered_at: Date;
}

const columns = 'id, account_id, user_id, token, platform, app_version, device_name, registered_at';

function toDevice(row: Row): StoredDevice {
  return {
    id: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    token: row.token,
    platform: row.platform,
    appVersion: row.app_version,
    deviceName: row.device_name,
    registeredAt: row.registered_at,
  };
}

/** The devices table: one row per FCM token, held by one user at a time. */
export class DeviceRepository {
  constructor(private readonly db: Pool) {}

  /** Inserts the token, or gives the existing row (whoever held it) to this user with these details. */
  async upsert(device: NewDevice, at: Date): Promise<StoredDevice> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO devices (id, account_id, user_id, token, platform, app_version, device_name, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (token) DO UPDATE SET
         account_id = EXCLUDED.account_id, user_id = EXCLUDED.user_id, platform = EXCLUDED.platform,
         app_version = EXCLUDED.app_version, device_name = EXCLUDED.device_name,
         registered_at = EXCLUDED.registered_at
       RETURNING ${columns}`,
      [
        randomUUID(),
        device.accountId,
        device.userId,
        device.token,
        device.platform,
        device.appVersion,
        device.deviceName,
        at,
      ],
    );
    return toDevice(rows[0]!);
  }

  async listOf(accountId: string, userId: string): Promise<StoredDevice[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM devices WHERE account_id = $1 AND user_id = $2 ORDER BY registered_at DESC, id`,
      [accountId, userId],
    );
    return rows.map(toDevice);
  }

  /** The devices of many users at once: one query for a batch of deliveries. */
  async ofUsers(users: readonly { accountId: string; userId: string }[]): Promise<StoredDevice[]> {
    if (users.length === 0) return [];
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM devices
       WHERE (account_id, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY registered_at DESC, id`,
      [users.map((u) => u.accountId), users.map((u) => u.userId)],
    );
    return rows.map(toDevice);
  }

  /** Removes one of the user's devices; false when the user has none with that id. */
  async remove(accountId: string, userId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM devices WHERE id = $1::uuid AND account_id = $2 AND user_id = $3',
      [id, accountId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Removes tokens FCM refused for good; a token registered again since then is kept. */
  async prune(tokens: readonly { id: string; token: string }[]): Promise<number> {
    if (tokens.length === 0) return 0;
    const { rowCount } = await this.db.query(
      'DELETE FROM devices WHERE (id, token) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))',
      [tokens.map((t) => t.id), tokens.map((t) => t.token)],
    );
    return rowCount ?? 0;
  }
}
