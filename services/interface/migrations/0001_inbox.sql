-- One row per (notification, recipient): the primary key is what makes a
-- redelivered message store nothing twice.
CREATE TABLE inbox_items (
  account_id      text        NOT NULL,
  user_id         text        NOT NULL,
  notification_id text        NOT NULL,
  provider_id     text        NOT NULL,
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  read_at         timestamptz,
  is_read         boolean     GENERATED ALWAYS AS (read_at IS NOT NULL) STORED,
  -- herald.v1.Notification and herald.v1.Rendered, protobuf-encoded.
  notification    bytea       NOT NULL,
  rendered        bytea       NOT NULL,
  PRIMARY KEY (account_id, user_id, notification_id)
);

-- Serves both orders: unread first (is_read, then newest) and, through the
-- second index, plain newest first; and the unread count.
CREATE INDEX inbox_items_unread_first ON inbox_items (account_id, user_id, is_read, occurred_at DESC, notification_id DESC);
CREATE INDEX inbox_items_newest ON inbox_items (account_id, user_id, occurred_at DESC, notification_id DESC);
