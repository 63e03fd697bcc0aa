import {
  channelsFromTokens,
  channelsToTokens,
  defaultPreferences,
  emailModeFromWord,
  emailModeToWord,
  inboxOrderFromWord,
  inboxOrderToWord,
  toTaskLeadMinutes,
  type OptionalChannel,
  type UserPreferences,
} from './model.js';
import type { Queryable } from './queryable.js';

export interface UserKey {
  readonly accountId: string;
  readonly userId: string;
}

/** Ids never hold a slash, so this key is unambiguous. */
export function userKey(accountId: string, userId: string): string {
  return `${accountId}/${userId}`;
}

interface PreferencesRow {
  account_id: string;
  user_id: string;
  /** The settings columns are null for a user who never saved any. */
  receive_notifications: boolean | null;
  email_mode: string | null;
  digest_time: string | null;
  inbox_order: string | null;
  task_lead_minutes: number | null;
  /** provider id → channel words. */
  choices: Record<string, string[]>;
}

function toPreferences(row: PreferencesRow): UserPreferences {
  return {
    receiveNotifications: row.receive_notifications ?? defaultPreferences.receiveNotifications,
    emailMode: row.email_mode === null ? defaultPreferences.emailMode : emailModeFromWord(row.email_mode),
    digestTime: row.digest_time ?? defaultPreferences.digestTime,
    inboxOrder: row.inbox_order === null ? defaultPreferences.inboxOrder : inboxOrderFromWord(row.inbox_order),
    taskLeadMinutes:
      row.task_lead_minutes === null ? defaultPreferences.taskLeadMinutes : toTaskLeadMinutes(row.task_lead_minutes),
    choices: new Map(Object.entries(row.choices).map(([provider, words]) => [provider, channelsFromTokens(words)])),
  };
}

/** Users' notification settings and their per-provider channel choices. */
export class SettingsRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async preferencesOf(accountId: string, userId: string): Promise<UserPreferences> {
    const found = await this.preferencesOfUsers([{ accountId, userId }]);
    return found.get(userKey(accountId, userId)) ?? defaultPreferences;
  }

  /**
   * The settings of many users in one round trip, keyed by userKey(); a user
   * who never saved any gets the defaults.
   */
  async preferencesOfUsers(users: readonly UserKey[]): Promise<Map<string, UserPreferences>> {
    if (users.length === 0) return new Map();
    const { rows } = await this.db.query<PreferencesRow>(
      `SELECT k.account_id, k.user_id,
              s.receive_notifications, s.email_mode, s.digest_time, s.inbox_order, s.task_lead_minutes,
              coalesce(
                (SELECT jsonb_object_agg(c.provider_id, c.channels) FROM provider_choices c
                 WHERE c.account_id = k.account_id AND c.user_id = k.user_id),
                '{}'::jsonb
              ) AS choices
       FROM unnest($1::text[], $2::text[]) AS k(account_id, user_id)
       LEFT JOIN user_settings s ON s.account_id = k.account_id AND s.user_id = k.user_id`,
      [users.map((u) => u.accountId), users.map((u) => u.userId)],
    );
    return new Map(rows.map((row) => [userKey(row.account_id, row.user_id), toPreferences(row)]));
  }

  /**
   * Writes a user's settings. `choices` holds only the providers whose choice
   * changed: null forgets the choice, so the provider's defaults apply again.
   */
  async save(
    accountId: string,
    userId: string,
    preferences: UserPreferences,
    choices: ReadonlyMap<string, readonly OptionalChannel[] | null>,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO user_settings
         (account_id, user_id, receive_notifications, email_mode, digest_time, inbox_order, task_lead_minutes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (account_id, user_id) DO UPDATE SET
         receive_notifications = EXCLUDED.receive_notifications,
         email_mode = EXCLUDED.email_mode,
         digest_time = EXCLUDED.digest_time,
         inbox_order = EXCLUDED.inbox_order,
         task_lead_minutes = EXCLUDED.task_lead_minutes,
         updated_at = now()`,
      [
        accountId,
        userId,
        preferences.receiveNotifications,
        emailModeToWord(preferences.emailMode),
        preferences.digestTime,
        inboxOrderToWord(preferences.inboxOrder),
        preferences.taskLeadMinutes,
      ],
    );
    const forgotten = [...choices].filter(([, channels]) => channels === null).map(([provider]) => provider);
    const chosen = [...choices].flatMap(([provider, channels]) =>
      channels === null ? [] : [{ provider_id: provider, channels: channelsToTokens(channels) }],
    );
    if (forgotten.length > 0) {
      await this.db.query(
        'DELETE FROM provider_choices WHERE account_id = $1 AND user_id = $2 AND provider_id = ANY($3::text[])',
        [accountId, userId, forgotten],
      );
    }
    if (chosen.length > 0) {
      await this.db.query(
        `INSERT INTO provider_choices (account_id, user_id, provider_id, channels)
         SELECT $1, $2, c.provider_id, ARRAY(SELECT jsonb_array_elements_text(c.channels))
         FROM jsonb_to_recordset($3::jsonb) AS c(provider_id text, channels jsonb)
         ON CONFLICT (account_id, user_id, provider_id) DO UPDATE SET
           channels = EXCLUDED.channels,
           updated_at = now()`,
        [accountId, userId, JSON.stringify(chosen)],
      );
    }
  }
}
