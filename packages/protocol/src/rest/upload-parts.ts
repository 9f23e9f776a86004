import { z } from 'zod';
import { timestamp } from '../primitives';
import { upload, uploadId } from './uploads';

/**
 * Resumable uploads: a large file goes to storage in numbered parts (S3 multipart semantics, on
 * disk too), each part on its own signed, expiring URL, so a dropped connection costs the part
 * in flight, not the file. After a drop or a reload the client asks which parts the server
 * knows and sends only the others, then completes as for any upload.
 *
 * 1. `POST /v1/uploads/resumable` (same body as `POST /v1/uploads`) → the upload and its
 *    `multipart` target: `part_size` and `part_count`.
 * 2. `POST /v1/uploads/{id}/parts` `{ part_numbers }` → a `PUT` URL for each (at most
 *    `UPLOAD_PARTS.URLS_PER_REQUEST` at once; they expire, ask again when they do).
 * 3. `PUT` each part's bytes to its URL; its answer's `ETag` header names what was stored.
 * 4. `PUT /v1/uploads/{id}/parts/{n}` `{ etag, size }`: the client records the part.
 * 5. After a drop: `GET /v1/uploads/{id}/parts` → the parts stored; send the rest (2–4).
 * 6. `POST /v1/uploads/{id}/complete`: the server assembles the parts and checks the file.
 */
export const UPLOAD_PARTS = {
  /** Bytes of every part but the last (S3 refuses parts under 5 MiB but the last). */
  PART_SIZE: 8 * 1024 * 1024,
  /** The most parts of one upload (S3's limit); a larger file gets larger parts. */
  MAX_PARTS: 10_000,
  /** Part URLs one request may ask for. */
  URLS_PER_REQUEST: 100,
  /** Characters of a part's ETag as a client reports it. */
  ETAG_LENGTH: 128,
} as const;

export const partNumber = z.number().int().min(1).max(UPLOAD_PARTS.MAX_PARTS);

export const uploadPartParams = z.strictObject({
  uploadId,
  /** From the path: digits only. */
  partNumber: z.coerce.number().int().min(1).max(UPLOAD_PARTS.MAX_PARTS),
});

/** Where and how a resumable upload's parts go. */
export const multipartTarget = z.object({
  /** Bytes of each part but the last, which holds the rest. */
  part_size: z.number().int().min(1),
  /** Parts the file is cut into: numbers 1 to `part_count`. */
  part_count: z.number().int().min(1).max(UPLOAD_PARTS.MAX_PARTS),
  /** Until when parts can be sent; asking for part URLs moves it later. */
  expires_at: timestamp,
});
export type MultipartTarget = z.infer<typeof multipartTarget>;

export const createResumableUploadResponse = z.object({ upload, multipart: multipartTarget });

export const signUploadPartsBody = z.strictObject({
  part_numbers: z
    .array(partNumber)
    .min(1)
    .max(UPLOAD_PARTS.URLS_PER_REQUEST)
    .refine((numbers) => new Set(numbers).size === numbers.length, 'Part numbers must not repeat'),
});
export type SignUploadPartsBody = z.infer<typeof signUploadPartsBody>;

/** Where one part's bytes go: a `PUT` of the raw bytes with `headers`, before `expires_at`. */
export const uploadPartTarget = z.object({
  part_number: z.number().int(),
  method: z.literal('PUT'),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  expires_at: timestamp,
});
export type UploadPartTarget = z.infer<typeof uploadPartTarget>;

export const signUploadPartsResponse = z.object({ parts: z.array(uploadPartTarget) });

/** A part the server knows is stored. */
export const uploadPart = z.object({
  part_number: z.number().int(),
  size: z.number().int().min(0),
  /** What the storage answered for it (S3's ETag); the same bytes give the same ETag. */
  etag: z.string(),
});
export type UploadPart = z.infer<typeof uploadPart>;

export const recordUploadPartBody = z.strictObject({
  /** The `ETag` header of the part's `PUT` answer, quotes and all. */
  etag: z
    .string()
    .min(1)
    .max(UPLOAD_PARTS.ETAG_LENGTH)
    .regex(/^(W\/)?"?[\w.:+/=-]+"?$/, 'Must be the ETag the storage answered'),
  /** Bytes sent in the part. */
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type RecordUploadPartBody = z.infer<typeof recordUploadPartBody>;

export const uploadPartResponse = z.object({ part: uploadPart });

export const uploadPartsResponse = z.object({
  part_size: z.number().int(),
  part_count: z.number().int(),
  /** The parts stored, by number. */
  parts: z.array(uploadPart),
});
export type UploadPartsResponse = z.infer<typeof uploadPartsResponse>;
