import { inTransaction, type Pool } from '@herald/db';

export interface UserRef {
  readonly accountId: string;
  readonly userId: string;
}

export interface ChatLink extends UserRef {
  /** Telegram chat ids fit in 52 bits: a JavaScript number holds them exactly. */
  readonly chatId: number;
  readonly username: string;
  readonly linkedAt: Date;
}

/** What became of a `/start <token>`. */
export type Redeemed =
  { readonly status: 'linked'; readonly link: ChatLink } | { readonly status: 'unknown' | 'used' | 'expired' };

interface LinkRow {
  account_id: string;
  user_id: string;
  chat_id: string;
  username: string;
  linked_at: Date;
}

function toLink(row: LinkRow): ChatLink {
  return {
    accountId: row.account_id,
    userId: row.user_id,
    chatId: Number(row.chat_id),
    username: row.username,
    linkedAt: row.linked_at,
  };
}

/** How long a used or expired token is kept (to tell "used" from "unknown") before it is deleted. */
const keepSpentTokens = '1 day';

/** The chat linked to each user, and the one-time tokens that link them. */
export class LinkRepository {
  constructor(private readonly db: Pool) {}

  async addToken(user: UserRef, tokenHash: Buffer, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.db.query(`DELETE FROM telegram_link_tokens WHERE expires_at < now() - interval '${keepSpentTokens}'`);
    await this.db.query(
      `INSERT INTO telegram_link_tokens (token_hash, account_id, user_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [tokenHash, user.accountId, user.userId, createdAt, expiresAt],
    );
  }

  /**
   * Spends a token and links the chat to its user, replacing the user's
   * previous chat, in one transaction: two `/start`s with one token link once.
   */
  async redeem(tokenHash: Buffer, chat: { chatId: number; username: string }, at: Date): Promise<Redeemed> {
    return inTransaction(this.db, async (client) => {
      const { rows } = await client.query<{
        account_id: string;
        user_id: string;
        expires_at: Date;
        used_at: Date | null;
      }>('SELECT account_id, user_id, expires_at, used_at FROM telegram_link_tokens WHERE token_hash = $1 FOR UPDATE', [
        tokenHash,
      ]);
      const token = rows[0];
      if (!token) return { status: 'unknown' } as const;
      if (token.used_at) return { status: 'used' } as const;
      if (token.expires_at.getTime() <= at.getTime()) return { status: 'expired' } as const;
      await client.query('UPDATE telegram_link_tokens SET used_at = $2 WHERE token_hash = $1', [tokenHash, at]);
      const linked = await client.query<LinkRow>(
        `INSERT INTO telegram_links (account_id, user_id, chat_id, username, linked_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id, user_id) DO UPDATE SET
           chat_id = EXCLUDED.chat_id, username = EXCLUDED.username, linked_at = EXCLUDED.linked_at
         RETURNING account_id, user_id, chat_id, username, linked_at`,
        [token.account_id, token.user_id, chat.chatId, chat.username, at],
      );
      return { status: 'linked', link: toLink(linked.rows[0]!) } as const;
    });
  }

  async of(user: UserRef): Promise<ChatLink | undefined> {
    const { rows } = await this.db.query<LinkRow>(
      'SELECT account_id, user_id, chat_id, username, linked_at FROM telegram_links WHERE account_id = $1 AND user_id = $2',
      [user.accountId, user.userId],
    );
    return rows[0] && toLink(rows[0]);
  }

  /** The links of many users at once: one query for a batch of deliveries. */
  async ofUsers(users: readonly UserRef[]): Promise<ChatLink[]> {
    if (users.length === 0) return [];
    const { rows } = await this.db.query<LinkRow>(
      `SELECT account_id, user_id, chat_id, username, linked_at FROM telegram_links
       WHERE (account_id, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [users.map((u) => u.accountId), users.map((u) => u.userId)],
    );
    return rows.map(toLink);
  }

  /** Unlinks the user's chat; false when none was linked. */
  async unlink(user: UserRef): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM telegram_links WHERE account_id = $1 AND user_id = $2', [
      user.accountId,
      user.userId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /** Unlinks every user of a chat (it said /stop, blocked the bot or is gone); the users it was linked to. */
  async unlinkChat(chatId: number): Promise<UserRef[]> {
    const { rows } = await this.db.query<{ account_id: string; user_id: string }>(
      'DELETE FROM telegram_links WHERE chat_id = $1 RETURNING account_id, user_id',
      [chatId],
    );
    return rows.map((r) => ({ accountId: r.account_id, userId: r.user_id }));
  }
}
