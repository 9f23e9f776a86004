-- The sweep of ready uploads that no message took (jobs/upload-sweep.ts) reads them oldest first.
CREATE INDEX uploads_unattached ON uploads (completed_at) WHERE state = 'ready' AND message_id IS NULL;
