-- Moderation: reports, the review queue and the audit log (domain/moderation/).

-- The seed's queue becomes one item per reported target (a message, or a user), grouping its
-- reports: how many, which reasons, from where, when last; who it is assigned to; and the last
-- action taken on it. `app_user_id` is the reported user (a message item: the message's author).
ALTER TABLE moderation_queue
  ADD COLUMN target_kind text NOT NULL DEFAULT 'message' CHECK (target_kind IN ('message', 'user')),
  ADD COLUMN channel_id uuid REFERENCES channels(id) ON DELETE CASCADE,
  ADD COLUMN report_count integer NOT NULL DEFAULT 0,
  ADD COLUMN reasons text[] NOT NULL DEFAULT '{}',
  ADD COLUMN sources text[] NOT NULL DEFAULT '{}',
  ADD COLUMN last_reported_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN assigned_to uuid REFERENCES app_users(id) ON DELETE SET NULL,
  ADD COLUMN resolution text,
  ADD COLUMN resolution_reason text,
  ADD COLUMN resolved_by uuid REFERENCES app_users(id) ON DELETE SET NULL,
  ADD COLUMN resolved_by_server boolean NOT NULL DEFAULT false,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT moderation_queue_status CHECK (status IN ('pending', 'resolved', 'dismissed'));

-- Rows from before (the seed wrote none through an API): a row without a message is a user's.
UPDATE moderation_queue SET target_kind = 'user' WHERE message_id IS NULL;
UPDATE moderation_queue q SET channel_id = m.channel_id FROM messages m WHERE m.id = q.message_id;

-- One item per target: a new report joins the target's item (and reopens it when decided).
CREATE UNIQUE INDEX moderation_queue_message_item ON moderation_queue (message_id) WHERE target_kind = 'message';
CREATE UNIQUE INDEX moderation_queue_user_item ON moderation_queue (app_user_id) WHERE target_kind = 'user';
-- The queue pages: newest report first, per app or per channel.
CREATE INDEX moderation_queue_recent ON moderation_queue (app_id, last_reported_at DESC, id DESC);
CREATE INDEX moderation_queue_channel ON moderation_queue (channel_id, last_reported_at DESC, id DESC);

-- Each report: a user's (once per reporter per item) or an automatic flag (once per source per
-- item, refreshed by a later flag). A deleted reporter's report stays, as evidence.
CREATE TABLE moderation_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  item_id uuid NOT NULL REFERENCES moderation_queue(id) ON DELETE CASCADE,
  reporter_id uuid REFERENCES app_users(id) ON DELETE SET NULL,
  source text NOT NULL CHECK (source IN ('user', 'blocklist')),
  reason text NOT NULL,
  note text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX moderation_reports_once ON moderation_reports (item_id, reporter_id) WHERE reporter_id IS NOT NULL;
CREATE UNIQUE INDEX moderation_reports_flag ON moderation_reports (item_id, source) WHERE source <> 'user';
CREATE INDEX moderation_reports_item ON moderation_reports (item_id, created_at DESC);
CREATE INDEX moderation_reports_reporter ON moderation_reports (reporter_id);

-- The audit log: who did what to whom, when and why. It names people and channels by their
-- app-facing ids, copied when written, so a record outlives the user, message or channel it names.
CREATE TABLE moderation_audit (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  action text NOT NULL,
  actor_external_id text,
  actor_server boolean NOT NULL,
  target_external_id text,
  message_id uuid,
  cid text,
  reason text,
  details jsonb NOT NULL DEFAULT '{}',
  -- The time of the write, not of its transaction's start: records of one transaction (an app
  -- ban and the review it settles) keep their order.
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX moderation_audit_recent ON moderation_audit (app_id, created_at DESC, id DESC);
CREATE INDEX moderation_audit_target ON moderation_audit (app_id, target_external_id, created_at DESC);
CREATE INDEX moderation_audit_actor ON moderation_audit (app_id, actor_external_id, created_at DESC);
CREATE INDEX moderation_audit_cid ON moderation_audit (app_id, cid, created_at DESC);

-- A message deleted by someone other than its author (a moderator, an admin, the app's backend):
-- clients render "removed by a moderator".
ALTER TABLE messages ADD COLUMN removed_by_moderator boolean NOT NULL DEFAULT false;
