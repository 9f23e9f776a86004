import { z } from 'zod';
import { timestamp } from '../primitives';

/** Bounds of an application's upload policy (the server may hold `max_bytes` lower: its ceiling). */
export const UPLOAD_POLICY_LIMITS = {
  /** Entries in `allowed_types` or `blocked_types`. */
  TYPES: 100,
  /** The most pixels an app may let an image have: 200 megapixels (a 200 MP phone photo). */
  MAX_IMAGE_PIXELS: 200_000_000,
  /** Upload slots a user may ask for per minute, at most. */
  UPLOADS_PER_MINUTE: 1_000,
} as const;

/**
 * A MIME type (`image/png`) or a family of them (`image/*`), lower case, as sniffed types are
 * compared: `text/html`, not `Text/HTML`.
 */
export const mimePattern = z
  .string()
  .max(255)
  .regex(
    /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/,
    'Must be a lower-case MIME type like image/png, or a family like image/*',
  );

const typeList = z
  .array(mimePattern)
  .max(UPLOAD_POLICY_LIMITS.TYPES)
  .refine((list) => new Set(list).size === list.length, 'Each type once');

/**
 * What an application accepts as uploads (server token). Types are matched against the type
 * sniffed from the bytes, never the one a client declares: `blocked_types` win over
 * `allowed_types`, and `allowed_types: null` takes any type not blocked. SVG, HTML and XML are
 * blocked by default; an app may unblock them, and then they are only ever served as downloads
 * (`Content-Disposition: attachment`), never shown inline. `max_bytes_ceiling` is this server's
 * limit, over which `max_bytes` cannot be set.
 */
export const uploadPolicy = z.object({
  max_bytes: z.number().int().min(1),
  max_bytes_ceiling: z.number().int().min(1),
  allowed_types: z.array(z.string()).nullable(),
  blocked_types: z.array(z.string()),
  max_image_pixels: z.number().int().min(1),
  /** Upload slots each user may ask for per minute. */
  uploads_per_minute: z.number().int().min(1),
  /** When the app last changed it; null while it has the defaults. */
  updated_at: timestamp.nullable(),
});
export type UploadPolicy = z.infer<typeof uploadPolicy>;
export const uploadPolicyResponse = z.object({ policy: uploadPolicy });

/** Changes what is given; the rest keeps its value. `allowed_types: null` takes any type again. */
export const setUploadPolicyBody = z
  .strictObject({
    max_bytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    allowed_types: typeList.min(1, 'Give at least one type, or null for any type').nullable().optional(),
    blocked_types: typeList.optional(),
    max_image_pixels: z.number().int().min(1).max(UPLOAD_POLICY_LIMITS.MAX_IMAGE_PIXELS).optional(),
    uploads_per_minute: z.number().int().min(1).max(UPLOAD_POLICY_LIMITS.UPLOADS_PER_MINUTE).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type SetUploadPolicyBody = z.infer<typeof setUploadPolicyBody>;
