-- The Web Push subscriptions of each user's browsers. An endpoint is held by
-- one user at a time: registering it for another user moves the row.
CREATE TABLE push_subscriptions (
  id              uuid        PRIMARY KEY,
  endpoint        text        NOT NULL UNIQUE,
  account_id      text        NOT NULL,
  user_id         text        NOT NULL,
  -- The browser's P-256 public key and auth secret, base64url: what each payload is encrypted to.
  p256dh          text        NOT NULL,
  auth            text        NOT NULL,
  expiration_time timestamptz,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);

CREATE INDEX push_subscriptions_by_user ON push_subscriptions (account_id, user_id, created_at DESC);
