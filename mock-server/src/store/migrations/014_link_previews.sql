-- Link previews (storage/link-previews.ts): what the pages a message links to say about
-- themselves, fetched by a job after the send and kept on the message, so every view of it has
-- them without another query. A sender can take a preview off (its URL joins
-- link_previews_removed, and the job never puts it back) or send with none at all.
ALTER TABLE messages ADD COLUMN link_previews jsonb NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN link_previews_removed jsonb NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN link_previews_off boolean NOT NULL DEFAULT false;

-- What a URL's page said, per application, until expires_at: the same link in many messages is
-- fetched once. A null preview remembers a page that had none (or could not be fetched), for a
-- shorter while. Expired rows are trimmed by a retention pass (jobs/retention.ts).
CREATE TABLE link_preview_cache (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  url text NOT NULL,
  preview jsonb,
  fetched_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (app_id, url)
);
CREATE INDEX link_preview_cache_expiry ON link_preview_cache (expires_at);
