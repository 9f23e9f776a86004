-- Each application's changes to the channel types' permission table (domain/channels/permissions.ts
-- holds the defaults): { "<type>": { "<action>": "<least standing>" } }. Empty: the defaults.
ALTER TABLE applications ADD COLUMN channel_permissions jsonb NOT NULL DEFAULT '{}';
