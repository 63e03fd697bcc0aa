-- What the email service knows of each user who gets mail, kept from the
-- deliveries and the preferences.changed events (no call to another service
-- on the hot path). `version` keeps a late event from undoing a newer one.
CREATE TABLE recipients (
  account_id     text        NOT NULL,
  user_id        text        NOT NULL,
  email          text        NOT NULL,
  locale         text        NOT NULL,
  timezone       text        NOT NULL,
  email_mode     text        NOT NULL CHECK (email_mode IN ('immediate', 'daily')),
  -- HH:MM in `timezone`.
  digest_time    text        NOT NULL,
  version        bigint      NOT NULL,
  -- The digest slot this user waits for; NULL when no digest is due.
  next_digest_at timestamptz,
  -- Set when the user changed their time: the next digest's window starts here (the
  -- start of the slot they were waiting for), so items held for that slot are not lost.
  window_start   timestamptz,
  PRIMARY KEY (account_id, user_id)
);

-- The schedulers' claim: due users, oldest slot first.
CREATE INDEX recipients_due ON recipients (next_digest_at) WHERE next_digest_at IS NOT NULL;

-- Notifications held for a user's digest, with their read state from inbox.read.
CREATE TABLE digest_items (
  account_id      text        NOT NULL,
  user_id         text        NOT NULL,
  notification_id text        NOT NULL,
  delivery_id     text        NOT NULL,
  -- When the notification arrived (ingested): what the digest's 24-hour window is over.
  arrived_at      timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  read_at         timestamptz,
  -- herald.v1.Notification, protobuf-encoded.
  notification    bytea       NOT NULL,
  PRIMARY KEY (account_id, user_id, notification_id)
);

CREATE INDEX digest_items_window ON digest_items (account_id, user_id, arrived_at DESC) WHERE read_at IS NULL;

-- Items read before their delivery reached this service (inbox.read can
-- overtake deliveries.email): applied when the item arrives.
CREATE TABLE early_reads (
  account_id      text        NOT NULL,
  user_id         text        NOT NULL,
  notification_id text        NOT NULL,
  read_at         timestamptz NOT NULL,
  PRIMARY KEY (account_id, user_id, notification_id)
);
