-- Each user's chosen order of the notification center, kept from the
-- preferences.changed events; `version` keeps a late event from undoing a newer one.
CREATE TABLE inbox_orders (
  account_id  text   NOT NULL,
  user_id     text   NOT NULL,
  inbox_order text   NOT NULL CHECK (inbox_order IN ('unread_first', 'newest')),
  version     bigint NOT NULL,
  PRIMARY KEY (account_id, user_id)
);
