-- The ledger of a channel service: one row per delivery it handed to its
-- provider, written before the message is acked and read before anything is
-- sent, so a redelivered message never sends twice.
CREATE TABLE sent_deliveries (
  delivery_id         text        PRIMARY KEY,
  sent_at             timestamptz NOT NULL,
  -- The provider's id of what it accepted, to report again on a redelivery.
  provider_message_id text        NOT NULL DEFAULT ''
);
