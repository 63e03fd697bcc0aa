import type { Pool } from '@herald/db';
import type { UserRef } from './link-repository.js';

/** A message the bot sent for an item: enough to find the item from its button and to edit it. */
export interface SentMessage extends UserRef {
  readonly chatId: number;
  readonly messageId: number;
  readonly notificationId: string;
  readonly locale: string;
  /** The message's text as sent (Telegram HTML). */
  readonly html: string;
  /** The item's link button, when it has one. */
  readonly link: string;
  readonly linkLabel: string;
}

interface Row {
  chat_id: string;
  message_id: string;
  account_id: string;
  user_id: string;
  notification_id: string;
  locale: string;
  html: string;
  link: string;
  link_label: string;
}

const columns = 'chat_id, message_id, account_id, user_id, notification_id, locale, html, link, link_label';

function toMessage(row: Row): SentMessage {
  return {
    chatId: Number(row.chat_id),
    messageId: Number(row.message_id),
    accountId: row.account_id,
    userId: row.user_id,
    notificationId: row.notification_id,
    locale: row.locale,
    html: row.html,
    link: row.link,
    linkLabel: row.link_label,
  };
}

/** The messages sent for each item, and whether they were edited to show it read. */
export class MessageRepository {
  constructor(private readonly db: Pool) {}

  async add(message: SentMessage, sentAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO telegram_messages (${columns}, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (chat_id, message_id) DO NOTHING`,
      [
        message.chatId,
        message.messageId,
        message.accountId,
        message.userId,
        message.notificationId,
        message.locale,
        message.html,
        message.link,
        message.linkLabel,
        sentAt,
      ],
    );
  }

  async find(chatId: number, messageId: number): Promise<SentMessage | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM telegram_messages WHERE chat_id = $1 AND message_id = $2`,
      [chatId, messageId],
    );
    return rows[0] && toMessage(rows[0]);
  }

  /**
   * Claims the user's messages of items just read (all of them with `all`)
   * that are not shown read yet: each is returned to one caller only, so a
   * message is edited once however many replicas see the read.
   */
  async claimRead(user: UserRef, notificationIds: readonly string[], all: boolean, at: Date): Promise<SentMessage[]> {
    const { rows } = await this.db.query<Row>(
      `UPDATE telegram_messages SET read_at = $4
       WHERE account_id = $1 AND user_id = $2 AND read_at IS NULL AND ($5 OR notification_id = ANY($3::text[]))
       RETURNING ${columns}`,
      [user.accountId, user.userId, notificationIds, at, all],
    );
    return rows.map(toMessage);
  }

  /** Claims one message to show it read; false when it already is. */
  async claimOne(chatId: number, messageId: number, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE telegram_messages SET read_at = $3 WHERE chat_id = $1 AND message_id = $2 AND read_at IS NULL',
      [chatId, messageId, at],
    );
    return (rowCount ?? 0) > 0;
  }
}
