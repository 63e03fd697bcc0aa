-- The delivery log: what became of each notification on each channel, kept
-- beside the inbox item. One row per (delivery, status): a redelivered outcome
-- stores nothing twice, and a digest's SKIPPED "digest" keeps its DELIVERED.
CREATE TABLE delivery_outcomes (
  account_id          text        NOT NULL,
  user_id             text        NOT NULL,
  notification_id     text        NOT NULL,
  delivery_id         text        NOT NULL,
  status              text        NOT NULL,
  channel             text        NOT NULL,
  reason              text        NOT NULL,
  tries               integer     NOT NULL,
  provider_message_id text        NOT NULL,
  at                  timestamptz NOT NULL,
  PRIMARY KEY (account_id, user_id, notification_id, delivery_id, status)
);
