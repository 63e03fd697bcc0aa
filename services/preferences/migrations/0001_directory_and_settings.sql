-- Up Migration

CREATE TABLE accounts (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  id text NOT NULL,
  email text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  -- IANA name, as Intl canonicalizes it.
  timezone text NOT NULL,
  -- BCP 47 tag, as Intl canonicalizes it.
  locale text NOT NULL,
  telegram_chat_id text NOT NULL DEFAULT '',
  -- Bumped by every change of the user's profile or settings; part of the msgID of preferences.changed.
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);

-- The system categories (account_id NULL, every account has them) and each account's integrations.
CREATE TABLE providers (
  id text PRIMARY KEY,
  account_id text REFERENCES accounts (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('system', 'integration')),
  name text NOT NULL,
  icon_url text NOT NULL DEFAULT '',
  -- The channels on for a user who never touched this provider, besides the interface (always on).
  default_channels text[] NOT NULL CHECK (default_channels <@ ARRAY['email', 'mobile', 'browser', 'telegram']),
  -- Order on the settings page.
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'system') = (account_id IS NULL))
);

CREATE INDEX providers_account_idx ON providers (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider_id text NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  name text NOT NULL DEFAULT '',
  -- sha256 of the key's secret part: the key itself is shown once and never stored.
  secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE INDEX api_keys_account_idx ON api_keys (account_id);
CREATE INDEX api_keys_provider_idx ON api_keys (provider_id);

-- A user without a row here has the default settings.
CREATE TABLE user_settings (
  account_id text NOT NULL,
  user_id text NOT NULL,
  receive_notifications boolean NOT NULL DEFAULT true,
  email_mode text NOT NULL DEFAULT 'immediate' CHECK (email_mode IN ('immediate', 'daily')),
  -- HH:MM in the user's time zone.
  digest_time text NOT NULL DEFAULT '18:00' CHECK (digest_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  inbox_order text NOT NULL DEFAULT 'unread_first' CHECK (inbox_order IN ('unread_first', 'newest')),
  task_lead_minutes integer NOT NULL DEFAULT 15 CHECK (task_lead_minutes IN (5, 15, 30, 60)),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, user_id),
  FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

-- A user's own channels for one provider, besides the interface; no row means the provider's defaults apply.
CREATE TABLE provider_choices (
  account_id text NOT NULL,
  user_id text NOT NULL,
  provider_id text NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  channels text[] NOT NULL CHECK (channels <@ ARRAY['email', 'mobile', 'browser', 'telegram']),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, user_id, provider_id),
  FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

CREATE INDEX provider_choices_provider_idx ON provider_choices (provider_id);

-- Down Migration

DROP TABLE provider_choices;
DROP TABLE user_settings;
DROP TABLE api_keys;
DROP TABLE providers;
DROP TABLE users;
DROP TABLE accounts;
