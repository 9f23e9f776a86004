-- Push (push/): each application's providers, their secrets sealed with the server key, and
-- what was sent for each message to each device, so a retried job sends nothing twice.
CREATE TABLE push_providers (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('fcm', 'apns', 'web')),
  -- What may be shown: a public key, a subject, a project id.
  settings jsonb NOT NULL,
  -- The private key or credentials: AES-256-GCM with the server key (push/sealed-secret.ts).
  sealed_secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, provider)
);

CREATE TABLE push_sends (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  event_id text NOT NULL,
  -- No foreign key: a device removed for a dead token keeps its row until retention.
  device_id uuid NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'removed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, device_id)
);
CREATE INDEX push_sends_created_brin ON push_sends USING brin (created_at);
