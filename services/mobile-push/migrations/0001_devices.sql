-- The FCM registration tokens of each user's mobile devices. A token is held
-- by one user at a time: registering it for another user moves the row.
CREATE TABLE devices (
  id            uuid        PRIMARY KEY,
  token         text        NOT NULL UNIQUE,
  account_id    text        NOT NULL,
  user_id       text        NOT NULL,
  platform      text        NOT NULL CHECK (platform IN ('android', 'ios')),
  app_version   text        NOT NULL DEFAULT '',
  device_name   text        NOT NULL DEFAULT '',
  registered_at timestamptz NOT NULL
);

CREATE INDEX devices_by_user ON devices (account_id, user_id, registered_at DESC);
