-- Push, continued (push/): users muting users (no push from them), the application's template
-- and privacy mode, what a read on another device clears, and counters of what was sent.
CREATE TABLE user_mutes (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  muted_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_user_id, muted_user_id)
);
CREATE INDEX user_mutes_muted ON user_mutes (muted_user_id);

CREATE TABLE push_settings (
  app_id uuid PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
  title_template text NOT NULL,
  body_template text NOT NULL,
  -- false: privacy mode, a push carries ids only and the app fetches the message.
  include_content boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The channel a send was about (null: sends before this migration), and when a read on another
-- device cleared it: a read pushes a silent clear only to devices shown something since.
ALTER TABLE push_sends
  ADD COLUMN channel_id uuid,
  ADD COLUMN cleared_at timestamptz;
CREATE INDEX push_sends_to_clear ON push_sends (channel_id, device_id)
  WHERE state = 'sent' AND cleared_at IS NULL;

CREATE TABLE push_counters (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  day date NOT NULL,
  sent integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  removed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, day)
);
