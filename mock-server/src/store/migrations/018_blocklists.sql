-- Blocklists (moderation/blocklist-*.ts): per application, lists of words, phrases, regexes,
-- domains or emails, each with a mode (flag, block or mask) checked on every send and edit.
-- Entries are rows, so a bulk add or removal touches only what it names; each node keeps an app's
-- lists compiled in memory and drops them when told (over the bus) that they changed.
CREATE TABLE blocklists (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('word', 'phrase', 'regex', 'domain', 'email')),
  mode text NOT NULL CHECK (mode IN ('flag', 'block', 'mask')),
  reason text,
  is_active boolean NOT NULL DEFAULT true,
  entry_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, name)
);

CREATE TABLE blocklist_entries (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  blocklist_id uuid NOT NULL REFERENCES blocklists(id) ON DELETE CASCADE,
  value text NOT NULL,
  PRIMARY KEY (blocklist_id, value)
);
CREATE INDEX blocklist_entries_app ON blocklist_entries (app_id);
