-- Schema v2 of the seed (architecture.md §5), with what the design adds: a per-channel event
-- sequence and event log (gap-free recovery), idempotency keys on messages, threads, quotes,
-- mentions, full-text search and an outbox for webhooks and push.
-- Every table holding application data has app_id; the store scopes every query by it.

CREATE TABLE customer_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name text,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE applications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  api_key text NOT NULL UNIQUE,
  api_secret text NOT NULL,
  plan_id text,
  is_active boolean NOT NULL DEFAULT true,
  allow_registration boolean NOT NULL DEFAULT false,
  allowed_origins text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX teams_app_idx ON teams (app_id);

CREATE TABLE customer_user_teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_user_id uuid NOT NULL REFERENCES customer_users(id) ON DELETE CASCADE,
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'member',
  UNIQUE (customer_user_id, team_id)
);

CREATE TABLE app_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  username text,
  display_name text,
  image text,
  user_type text NOT NULL DEFAULT 'user' CHECK (user_type IN ('user', 'admin')),
  custom jsonb NOT NULL DEFAULT '{}',
  password_hash text,
  is_online boolean NOT NULL DEFAULT false,
  last_active_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, external_id)
);
CREATE INDEX app_users_name_prefix_idx ON app_users (app_id, lower(display_name) text_pattern_ops);
CREATE INDEX app_users_id_prefix_idx ON app_users (app_id, external_id text_pattern_ops);

-- Refresh tokens of both portal users (customer_user_id) and password-login app users
-- (app_user_id). Only a hash is stored; family_id ties rotations together for reuse detection.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_user_id uuid REFERENCES customer_users(id) ON DELETE CASCADE,
  app_id uuid REFERENCES applications(id) ON DELETE CASCADE,
  app_user_id uuid REFERENCES app_users(id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE,
  family_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  replaced_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((customer_user_id IS NULL) <> (app_user_id IS NULL))
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE app_user_devices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  device_id text NOT NULL,
  push_token text,
  platform text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, app_user_id, device_id)
);

CREATE TABLE channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('messaging', 'team', 'livestream')),
  external_id text NOT NULL,
  name text,
  image text,
  custom jsonb NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES app_users(id) ON DELETE SET NULL,
  is_frozen boolean NOT NULL DEFAULT false,
  -- Sorted member ids of a distinct (id-less) channel: the same people get the same channel.
  distinct_key text,
  seq bigint NOT NULL DEFAULT 0,
  member_count integer NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  truncated_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, type, external_id)
);
CREATE UNIQUE INDEX channels_distinct_idx ON channels (app_id, type, distinct_key) WHERE distinct_key IS NOT NULL;
CREATE INDEX channels_last_message_idx ON channels (app_id, last_message_at DESC NULLS LAST, id);
CREATE INDEX channels_created_idx ON channels (app_id, created_at DESC, id);

CREATE TABLE channel_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
  unread_count integer NOT NULL DEFAULT 0,
  is_muted boolean NOT NULL DEFAULT false,
  is_banned boolean NOT NULL DEFAULT false,
  ban_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, app_user_id)
);
CREATE INDEX channel_members_user_idx ON channel_members (app_id, app_user_id);

CREATE TABLE messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  client_msg_id text,
  type text NOT NULL DEFAULT 'regular' CHECK (type IN ('regular', 'system', 'deleted')),
  text text NOT NULL DEFAULT '',
  mentioned_user_ids text[] NOT NULL DEFAULT '{}',
  parent_id uuid REFERENCES messages(id) ON DELETE CASCADE,
  reply_count integer NOT NULL DEFAULT 0,
  quoted_message_id uuid REFERENCES messages(id) ON DELETE SET NULL,
  custom jsonb NOT NULL DEFAULT '{}',
  is_pinned boolean NOT NULL DEFAULT false,
  pinned_at timestamptz,
  pinned_by uuid REFERENCES app_users(id) ON DELETE SET NULL,
  is_deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  edited_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
  UNIQUE (app_id, app_user_id, client_msg_id)
);
CREATE UNIQUE INDEX messages_channel_seq_idx ON messages (channel_id, seq);
CREATE INDEX messages_parent_idx ON messages (parent_id, seq) WHERE parent_id IS NOT NULL;
CREATE INDEX messages_search_idx ON messages USING gin (search);

CREATE TABLE message_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  position integer NOT NULL,
  type text NOT NULL,
  url text NOT NULL,
  name text,
  mime_type text,
  file_size bigint,
  width integer,
  height integer,
  thumb_url text
);
CREATE INDEX message_attachments_message_idx ON message_attachments (message_id, position);

CREATE TABLE message_reactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (message_id, app_user_id, type)
);

-- One row per (channel, user): how far the user has read.
CREATE TABLE message_reads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  message_id uuid REFERENCES messages(id) ON DELETE SET NULL,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  read_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, app_user_id)
);

CREATE TABLE message_drafts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  parent_id uuid REFERENCES messages(id) ON DELETE CASCADE,
  text text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (channel_id, app_user_id, parent_id)
);

-- Every event of a channel, in seq order: what a reconnecting client replays with `since`.
CREATE TABLE channel_events (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, seq)
);

CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  name text NOT NULL,
  url text NOT NULL,
  type text NOT NULL DEFAULT 'event',
  secret text,
  events text[] NOT NULL DEFAULT '{}',
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  name text NOT NULL,
  message text NOT NULL,
  status text NOT NULL DEFAULT 'draft',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE moderation_queue (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  message_id uuid REFERENCES messages(id) ON DELETE CASCADE,
  app_user_id uuid REFERENCES app_users(id) ON DELETE CASCADE,
  reviewed_by uuid REFERENCES customer_users(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'pending',
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  reviewed_at timestamptz
);

-- Work that must follow a committed write (webhooks, push), written in the same transaction.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE processed_at IS NULL;
