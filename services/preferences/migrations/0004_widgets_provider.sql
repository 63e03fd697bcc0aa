-- Up Migration

-- What a signed-in person's browser sends through APP.notifications (widget code in the CRM page, with no
-- API key of its own): a system category, so every user finds it in their settings like the others.
INSERT INTO providers (id, account_id, kind, name, default_channels, position) VALUES
  ('system.widgets', NULL, 'system', 'Widgets', ARRAY['email', 'mobile', 'browser'], 140);

-- Down Migration

DELETE FROM providers WHERE id = 'system.widgets';
