-- The Telegram chat of each user: one per user; linking another chat replaces it.
CREATE TABLE telegram_links (
  account_id text        NOT NULL,
  user_id    text        NOT NULL,
  chat_id    bigint      NOT NULL,
  username   text        NOT NULL DEFAULT '',
  linked_at  timestamptz NOT NULL,
  PRIMARY KEY (account_id, user_id)
);

CREATE INDEX telegram_links_by_chat ON telegram_links (chat_id);

-- One-time link tokens, kept only as their SHA-256: a leaked table links nobody.
CREATE TABLE telegram_link_tokens (
  token_hash bytea       PRIMARY KEY,
  account_id text        NOT NULL,
  user_id    text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

CREATE INDEX telegram_link_tokens_by_expiry ON telegram_link_tokens (expires_at);

-- The messages sent for each item, so that the "Mark as read" button finds its
-- item and a read elsewhere can edit them. html is the text as sent.
CREATE TABLE telegram_messages (
  chat_id         bigint      NOT NULL,
  message_id      bigint      NOT NULL,
  account_id      text        NOT NULL,
  user_id         text        NOT NULL,
  notification_id text        NOT NULL,
  locale          text        NOT NULL,
  html            text        NOT NULL,
  link            text        NOT NULL DEFAULT '',
  link_label      text        NOT NULL DEFAULT '',
  sent_at         timestamptz NOT NULL,
  read_at         timestamptz,
  PRIMARY KEY (chat_id, message_id)
);

CREATE INDEX telegram_messages_by_item ON telegram_messages (account_id, user_id, notification_id);
CREATE INDEX telegram_messages_unread ON telegram_messages (account_id, user_id) WHERE read_at IS NULL;
