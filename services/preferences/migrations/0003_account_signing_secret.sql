-- Up Migration

-- Verifies the HS256 tokens the CRM signs for the account's users (held as is: HMAC needs the secret itself).
ALTER TABLE accounts ADD COLUMN signing_secret text;

-- Down Migration

ALTER TABLE accounts DROP COLUMN signing_secret;
