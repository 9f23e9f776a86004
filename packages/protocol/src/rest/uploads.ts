import { z } from 'zod';
import { LIMITS } from '../limits';
import { safeString, timestamp } from '../primitives';

/**
 * Uploads: files a user sends to object storage directly (a direct-upload target the server
 * hands out), then completes; the server checks the stored bytes (size, the real type sniffed
 * from them) against the application's policy before the upload can be attached to a message.
 * An image is then `processing` (turned upright, its metadata removed — EXIF, GPS position —,
 * thumbnails and a placeholder made) until it is `ready` or `refused`.
 */
export const UPLOAD_STATES = ['pending', 'processing', 'ready', 'refused'] as const;
export const uploadState = z.enum(UPLOAD_STATES);

export const MEDIA_KINDS = ['image', 'video', 'audio', 'file'] as const;
export const mediaKind = z.enum(MEDIA_KINDS);

/** Why the server refused an upload (`upload_refused` errors carry it as `details.reason`). */
export const UPLOAD_REFUSALS = [
  'too_large',
  'blocked_type',
  'type_mismatch',
  'too_many_pixels',
  'unsupported',
  'not_uploaded',
  'expired',
  'corrupt',
  /** Attached before it was ready (still uploading or being processed). */
  'not_ready',
  /** Already on another message: an upload goes on one message. */
  'attached',
] as const;
export type UploadRefusal = (typeof UPLOAD_REFUSALS)[number];

const mimeType = z
  .string()
  .max(255)
  .regex(/^[\w.+-]+\/[\w.+-]+$/, 'Must be a MIME type like image/png');

export const uploadId = z.uuid();
export const uploadParams = z.strictObject({ uploadId });

export const createUploadBody = z.strictObject({
  /** The file's name as the user sees it (shown on file cards, used for downloads). */
  name: safeString(LIMITS.UPLOAD_NAME_LENGTH).min(1),
  /** The type the client believes the file has; the server sniffs the real one after upload. */
  type: mimeType,
  /** Bytes the client will send; the target refuses more. */
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type CreateUploadBody = z.infer<typeof createUploadBody>;

export const upload = z.object({
  id: uploadId,
  state: uploadState,
  name: z.string(),
  /** The sniffed type once ready; the declared one while pending. */
  mime_type: z.string(),
  kind: mediaKind.nullable(),
  /** Bytes stored (ready), or declared (pending). */
  size: z.number().int().min(0),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /**
   * Video and audio, once ready: the length in milliseconds, read from the file's headers; null
   * when they do not say it cheaply (or for anything else).
   */
  duration_ms: z.number().int().min(0).nullable(),
  /** A short-lived URL to fetch the file (ready only), usable directly in `<img src>`. */
  url: z.string().nullable(),
  /** Images, once ready: a ThumbHash (base64) to paint while the image loads. */
  placeholder: z.string().nullable(),
  /** Images, once ready: smaller copies (WebP), smallest first, with signed URLs like `url`. */
  thumbnails: z.array(z.object({ url: z.string(), width: z.number().int(), height: z.number().int() })),
  /** Why the server refused it (`refused` only): the reason code and a message for a person. */
  refusal: z.object({ reason: z.enum(UPLOAD_REFUSALS), message: z.string() }).nullable(),
  created_at: timestamp,
});
export type Upload = z.infer<typeof upload>;

export const uploadTarget = z.object({
  method: z.enum(['POST', 'PUT']),
  url: z.string(),
  /** POST: form fields to send before the file (field `file`, last). */
  fields: z.record(z.string(), z.string()),
  /** PUT: headers to send with the raw bytes. */
  headers: z.record(z.string(), z.string()),
  expires_at: timestamp,
});
export type UploadTarget = z.infer<typeof uploadTarget>;

export const createUploadResponse = z.object({ upload, target: uploadTarget });
export const uploadResponse = z.object({ upload });
