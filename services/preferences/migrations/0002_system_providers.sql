-- Up Migration

-- The system categories of the CRM's notification settings. Their ids are part of the contract:
-- notifications name them, and users' choices refer to them.
INSERT INTO providers (id, account_id, kind, name, default_channels, position) VALUES
  ('system.activity_limits', NULL, 'system', 'Activity limits', ARRAY['email', 'mobile', 'browser'], 10),
  ('system.billing', NULL, 'system', 'Billing', ARRAY['email', 'mobile', 'browser'], 20),
  ('system.calls', NULL, 'system', 'Calls', ARRAY['email', 'mobile', 'browser'], 30),
  ('system.chat_messages', NULL, 'system', 'Chat messages', ARRAY['email', 'mobile', 'browser'], 40),
  ('system.errors', NULL, 'system', 'Errors & other info', ARRAY['email', 'mobile', 'browser'], 50),
  ('system.incoming_emails', NULL, 'system', 'Incoming emails', ARRAY['email', 'mobile', 'browser'], 60),
  ('system.incoming_leads', NULL, 'system', 'Incoming leads', ARRAY['email', 'mobile', 'browser'], 70),
  ('system.stripe', NULL, 'system', 'Stripe', ARRAY['email', 'mobile', 'browser'], 80),
  ('system.tasks.before', NULL, 'system', 'Tasks: Before the task', ARRAY['email', 'mobile', 'browser'], 90),
  ('system.tasks.expired', NULL, 'system', 'Tasks: The task you have set is expired', ARRAY['email', 'mobile', 'browser'], 100),
  ('system.tasks.completed', NULL, 'system', 'Tasks: The task you set is completed', ARRAY['email', 'mobile', 'browser'], 110),
  ('system.tasks.assigned', NULL, 'system', 'Tasks: You have been assigned a new task', ARRAY['email', 'mobile', 'browser'], 120),
  ('system.scheduled_report', NULL, 'system', 'Scheduled report', ARRAY['email'], 130);

-- Down Migration

DELETE FROM providers WHERE kind = 'system';
