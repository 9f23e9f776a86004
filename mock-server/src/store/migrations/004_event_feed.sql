-- The event feed (src/jobs/event-feed.ts) hands committed channel events on to consumers (webhook
-- and push producers) in commit order, each from its own cursor. `tx` is the writing
-- transaction's id: every row of a transaction older than the oldest one still running is
-- final, so a reader that takes only those, ordered by (tx, position), never passes a row that
-- is yet to commit. `position` orders the rows of one transaction.
ALTER TABLE channel_events ADD COLUMN position bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE channel_events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX channel_events_feed_idx ON channel_events (tx, position);

-- Where each consumer of the feed is: it moves in the same transaction as what the consumer did
-- with the events, so they happen together or not at all.
CREATE TABLE event_cursors (
  consumer text PRIMARY KEY,
  tx xid8 NOT NULL DEFAULT '0',
  position bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
