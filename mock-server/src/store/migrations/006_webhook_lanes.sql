-- The lane of a live delivery (webhooks/delivery-producer.ts): a job of a lane also makes the
-- lane's later deliveries still waiting, so a lane that fell behind catches up in a few jobs
-- instead of one small job after another. Older rows have none (their jobs list them all).
ALTER TABLE webhook_deliveries ADD COLUMN lane text;
CREATE INDEX webhook_deliveries_lane_idx ON webhook_deliveries (webhook_id, lane, n)
  WHERE state IN ('pending', 'retrying') AND lane IS NOT NULL;
