-- Upload policy per application (storage/app-upload-policy.ts): what it accepts as uploads, set
-- with its server token. No row means the server's defaults. Type lists are JSON arrays of MIME
-- types or families (`image/*`); allowed_types NULL takes any type that is not blocked.
CREATE TABLE upload_policies (
  app_id uuid PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
  max_bytes bigint NOT NULL CHECK (max_bytes > 0),
  allowed_types jsonb,
  blocked_types jsonb NOT NULL DEFAULT '[]',
  max_image_pixels bigint NOT NULL CHECK (max_image_pixels > 0),
  uploads_per_minute integer NOT NULL CHECK (uploads_per_minute > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Video and audio: their length, read from the container's headers when they say it cheaply.
ALTER TABLE uploads ADD COLUMN duration_ms integer;
