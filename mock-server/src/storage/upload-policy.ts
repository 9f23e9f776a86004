import type { UploadRefusal } from '@chat/protocol';
import { ChatError } from '../kernel/errors';

/**
 * What an application accepts as uploads: the server's defaults (below), or what the app set with
 * its server token (`app-upload-policy.ts`). By default 100 MB, anything but SVG, HTML and XML (a
 * page or a script served from the app's origin could act as the app). An app may unblock them:
 * they are then files (`mediaKind`), only ever served as downloads, never inline.
 */
export interface UploadPolicy {
  maxBytes: number;
  /** Types refused whatever the file is called (sniffed from the bytes, not the name). */
  blockedTypes: readonly string[];
  /** When set, only these types (exact, or `image/*`-style families). */
  allowedTypes?: readonly string[];
  /** How long an upload target stays valid, and a pending upload is kept. */
  targetTtlSeconds: number;
  /** How long a download URL stays valid (at least half of it from when it is given). */
  downloadTtlSeconds: number;
  /**
   * The most pixels an image may have (width × height, times the frames of an animation): a
   * larger one is refused before it is decoded (a decompression bomb is a few kilobytes).
   */
  maxImagePixels: number;
  /** Upload slots each user may ask for per minute. */
  uploadsPerMinute: number;
}

export const DEFAULT_UPLOAD_POLICY: UploadPolicy = {
  maxBytes: 100 * 1024 * 1024,
  blockedTypes: ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/xml'],
  targetTtlSeconds: 15 * 60,
  downloadTtlSeconds: 60 * 60,
  // 64 megapixels: every phone camera's full-size photo but the 108/200 MP modes, which decode
  // to 400+ MB of pixels.
  maxImagePixels: 64_000_000,
  uploadsPerMinute: 30,
};

export const refused = (reason: UploadRefusal, message: string) =>
  new ChatError('upload_refused', message, { reason });

/** Whether `type` is one of `patterns` (exact types, or families like `image/*`). */
export function matches(patterns: readonly string[], type: string): boolean {
  // Types are case-insensitive; patterns are stored in lower case (the protocol requires it).
  const lower = type.toLowerCase();
  return patterns.some((p) => p === lower || (p.endsWith('/*') && lower.startsWith(p.slice(0, -1))));
}

/** Refuses a type the policy does not take. */
export function checkType(policy: UploadPolicy, type: string): void {
  if (matches(policy.blockedTypes, type))
    throw refused('blocked_type', `Files of type ${type} are not accepted`);
  if (policy.allowedTypes && !matches(policy.allowedTypes, type)) {
    throw refused('blocked_type', `Files of type ${type} are not accepted here`);
  }
}

/** Refuses a size over the policy's limit. */
export function checkSize(policy: UploadPolicy, size: number): void {
  if (size > policy.maxBytes) {
    throw refused('too_large', `The file is ${size} bytes; the limit is ${policy.maxBytes} bytes`);
  }
}
