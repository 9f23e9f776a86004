-- Events that are not about one channel (an endpoint disabled, a replay asked for) go through the
-- seed's outbox table, into the same event feed as the channel event log: the same transaction
-- id, and positions from the same sequence, so the feed reads both in one commit order.
ALTER TABLE outbox ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE outbox ADD COLUMN position bigint NOT NULL DEFAULT nextval('channel_events_position_seq');
CREATE INDEX outbox_feed_idx ON outbox (tx, position);
CREATE INDEX outbox_created_at_brin ON outbox USING brin (created_at);
-- The feed's cursors replace "processed": nothing reads this index.
DROP INDEX outbox_pending_idx;

-- Webhook endpoints (type 'event') and the before-send hook (type 'before_send', one per app).
ALTER TABLE webhooks ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
-- Why the server disabled the endpoint; null when enabled or disabled by hand.
ALTER TABLE webhooks ADD COLUMN disabled_reason text;
-- Secrets rotated out that still sign until they expire: [{ "secret": "whsec_…", "expires_at": "…" }].
ALTER TABLE webhooks ADD COLUMN previous_secrets jsonb NOT NULL DEFAULT '[]';
-- The before-send hook's settings.
ALTER TABLE webhooks ADD COLUMN timeout_ms integer;
ALTER TABLE webhooks ADD COLUMN fail_open boolean;
CREATE INDEX webhooks_app_idx ON webhooks (app_id, type, created_at);
CREATE UNIQUE INDEX webhooks_one_before_send_idx ON webhooks (app_id) WHERE type = 'before_send';

-- The delivery log: one row per event (or replay) sent to one endpoint, with its last attempt.
-- It keeps the body, so a delivery can be replayed exactly. Pruned by age (jobs/retention.ts).
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  n bigint GENERATED ALWAYS AS IDENTITY,
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  message_id text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  body text NOT NULL,
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'retrying', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_latency_ms integer,
  last_error text,
  replay_of uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, n DESC);
CREATE INDEX webhook_deliveries_created_brin ON webhook_deliveries USING brin (created_at);
