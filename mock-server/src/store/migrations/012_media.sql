-- Media (storage/): an image is `processing` after its upload completes, until a job has cleaned
-- it (upright, no metadata) and made its thumbnails and placeholder; the variants' storage keys
-- and sizes are kept with it. A message refers to uploads by id; an upload goes on one message,
-- and goes (bytes too) when that message is deleted.
ALTER TABLE uploads DROP CONSTRAINT uploads_state_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_state_check
  CHECK (state IN ('pending', 'processing', 'ready', 'refused'));
ALTER TABLE uploads ADD COLUMN placeholder text;
ALTER TABLE uploads ADD COLUMN thumbnails jsonb NOT NULL DEFAULT '[]';
ALTER TABLE uploads ADD COLUMN refusal_message text;
ALTER TABLE uploads ADD COLUMN message_id uuid REFERENCES messages(id) ON DELETE SET NULL;
CREATE INDEX uploads_message ON uploads (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX uploads_processing ON uploads (completed_at) WHERE state = 'processing';

ALTER TABLE message_attachments ADD COLUMN upload_id uuid REFERENCES uploads(id) ON DELETE SET NULL;
