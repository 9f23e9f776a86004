-- The channel event log is pruned by age (src/domain/event-log-retention.ts). Rows arrive in
-- time order, so a BRIN index finds the old ones for a fraction of a B-tree's size and write cost.
CREATE INDEX channel_events_created_at_brin ON channel_events USING brin (created_at);
