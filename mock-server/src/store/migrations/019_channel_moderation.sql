-- Channel moderation: slow mode, the pinned-messages list, system messages.

-- Slow mode: a member may send one message per `slow_mode_s` seconds (0: off; at most 6 hours).
ALTER TABLE channels ADD COLUMN slow_mode_s integer NOT NULL DEFAULT 0
  CHECK (slow_mode_s >= 0 AND slow_mode_s <= 21600);
-- When the member last sent while slow mode was on: kept on the membership row, which every send
-- already reads with the channel (domain/channels/channel-access.ts), so a send with slow mode off
-- costs nothing more, and one with it on updates this row under its lock (two sends at once
-- cannot both pass). Null: no send counted yet.
ALTER TABLE channel_members ADD COLUMN last_sent_at timestamptz;

-- System messages carry what happened as data (`{ kind, actor_id, target_ids, ... }`), for
-- clients to render and translate; null on every other message.
ALTER TABLE messages ADD COLUMN system jsonb;

-- System messages do not count as unread: the unread count's index leaves them out, so the
-- count (domain/reads/unread.ts) stays an index-only scan.
DROP INDEX IF EXISTS messages_unread_idx;
CREATE INDEX messages_unread_idx ON messages (channel_id, seq, app_user_id)
  WHERE parent_id IS NULL AND NOT is_deleted AND type <> 'system';

-- A channel's pinned messages, newest pin first (GET /v1/channels/{type}/{id}/pinned), and the
-- count the per-channel bound reads.
CREATE INDEX messages_pinned_idx ON messages (channel_id, pinned_at DESC, id DESC)
  WHERE is_pinned AND NOT is_deleted;
