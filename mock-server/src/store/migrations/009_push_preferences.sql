-- Push preferences (domain/devices/push-preferences.ts): which messages push to a user, for all
-- their channels and per channel (null: as for all), and do-not-disturb until a time.
ALTER TABLE app_users
  ADD COLUMN push_level text NOT NULL DEFAULT 'all' CHECK (push_level IN ('all', 'mentions', 'none')),
  ADD COLUMN push_dnd_until timestamptz;
ALTER TABLE channel_members
  ADD COLUMN push_level text CHECK (push_level IN ('all', 'mentions', 'none'));
