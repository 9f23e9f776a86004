-- Unread counts are derived when read instead of kept per member: a send used to add one to
-- every other member's row inside its transaction (N row writes per message in an N-member
-- channel). Now each member keeps only its read point, `read_seq` (the seq of the last message it
-- read, or the channel's seq when it joined); its unread count is the number of top-level,
-- undeleted messages from others after that point (src/domain/unread.ts).
ALTER TABLE channel_members ADD COLUMN read_seq bigint NOT NULL DEFAULT 0;

-- Existing members keep the count they had: a member with nothing unread has read everything so
-- far; a member with k unread has read up to just before the k-th newest message from others.
UPDATE channel_members cm SET read_seq = c.seq
  FROM channels c
  WHERE c.id = cm.channel_id AND cm.unread_count = 0;
UPDATE channel_members cm SET read_seq = ranked.seq - 1
  FROM (
    SELECT member.id AS member_id, m.seq, member.unread_count,
           row_number() OVER (PARTITION BY member.id ORDER BY m.seq DESC) AS position
      FROM channel_members member
      JOIN messages m ON m.channel_id = member.channel_id
       AND m.parent_id IS NULL AND NOT m.is_deleted AND m.app_user_id <> member.app_user_id
     WHERE member.unread_count > 0
  ) ranked
  WHERE ranked.member_id = cm.id AND ranked.position = ranked.unread_count;

ALTER TABLE channel_members DROP COLUMN unread_count;

-- Counting unread messages reads only this index (index-only scans once vacuumed).
CREATE INDEX messages_unread_idx ON messages (channel_id, seq, app_user_id)
  WHERE parent_id IS NULL AND NOT is_deleted;

-- Member lists and read states are pages in join order; without this a watch sorted every member.
CREATE INDEX channel_members_channel_idx ON channel_members (channel_id, created_at, id);
