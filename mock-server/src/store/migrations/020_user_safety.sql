-- User safety (domain/moderation/): users blocking users, app-wide bans, shadow bans and
-- timeouts. The state a send or an authentication needs lives on the `app_users` row both already
-- read, so a user with none of it costs no statement more.

-- App-wide ban (cannot connect, call the API, log in or refresh) until `app_ban_expires_at`
-- (null: for good); lifted by itself at expiry, checked when read. Shadow ban: the user's new
-- messages are stored marked `shadowed` and shown to the user alone. Timeout: cannot send, react
-- or edit until `timed_out_until`.
ALTER TABLE app_users
  ADD COLUMN app_banned_at timestamptz,
  ADD COLUMN app_ban_expires_at timestamptz,
  ADD COLUMN app_ban_reason text,
  ADD COLUMN shadow_banned boolean NOT NULL DEFAULT false,
  ADD COLUMN timed_out_until timestamptz,
  ADD COLUMN timeout_reason text,
  -- Blocks the user takes part in, either way: a hint that lets a send in a direct conversation,
  -- and an authentication, skip looking for blocks when it is 0 (the common case).
  ADD COLUMN block_count integer NOT NULL DEFAULT 0;

-- A user blocking another: no direct messages between them either way, the blocked user's
-- messages hidden for the blocker, no notification from them.
CREATE TABLE user_blocks (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  app_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  blocked_user_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_user_id, blocked_user_id)
);
CREATE INDEX user_blocks_blocked ON user_blocks (blocked_user_id);

-- A message sent while its author was shadow-banned: seen by its author only, for good.
ALTER TABLE messages ADD COLUMN shadowed boolean NOT NULL DEFAULT false;
-- An event only one user may see (about a shadowed message): that user's id; null for everyone.
-- Replays read it beside the payload and show the others a placeholder with the same seq.
ALTER TABLE channel_events ADD COLUMN visible_to uuid;

-- Shadowed messages count as unread for nobody (their author's own never count): the unread
-- count's partial index (019) leaves them out too, so the count stays an index-only scan.
DROP INDEX IF EXISTS messages_unread_idx;
CREATE INDEX messages_unread_idx ON messages (channel_id, seq, app_user_id)
  WHERE parent_id IS NULL AND NOT is_deleted AND type <> 'system' AND NOT shadowed;
