-- Uploads (storage/): files users send to object storage directly. A slot is `pending` until
-- the user completes it; the server then checks the stored bytes (size, the type sniffed from
-- them) and makes it `ready`, or `refused` (its bytes removed).
CREATE TABLE uploads (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'refused')),
  name text NOT NULL,
  declared_type text NOT NULL,
  declared_size bigint NOT NULL,
  mime_type text,
  kind text,
  size bigint,
  width integer,
  height integer,
  storage_key text NOT NULL,
  refusal text,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX uploads_user ON uploads (app_user_id, created_at DESC);
CREATE INDEX uploads_pending ON uploads (expires_at) WHERE state = 'pending';
