-- Resumable uploads (storage/upload-parts.ts): a large file goes to storage in numbered parts of
-- `part_size` bytes (S3 multipart semantics; on disk, files under the upload's directory).
-- `multipart_id` is the storage's id of the multipart upload (S3's UploadId), NULL for an upload
-- sent in one request.
ALTER TABLE uploads ADD COLUMN multipart_id text;
ALTER TABLE uploads ADD COLUMN part_size integer;
ALTER TABLE uploads ADD COLUMN part_count integer;

-- The parts the client reported stored (their ETag, as the storage answered the part's PUT). S3
-- has ListParts, but not every S3-compatible server does (s3rver, which the tests run, does
-- not), so this record is what a resume asks; S3 itself checks every ETag when the parts are
-- assembled. Disk storage lists its part files instead and never needs these rows.
CREATE TABLE upload_parts (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  upload_id uuid NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  part_number integer NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
  size bigint NOT NULL CHECK (size >= 0),
  etag text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (upload_id, part_number)
);
