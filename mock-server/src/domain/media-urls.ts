import { AsyncLocalStorage } from 'node:async_hooks';

/** An uploaded file as a message view shows it: where it is stored and how it is served. */
export interface StoredFile {
  key: string;
  /** Served as this type (the sniffed one, never the name's). */
  contentType: string;
  name: string;
  kind: string | null;
}

/**
 * Signed, expiring URLs for files this server stores (the port the storage layer implements):
 * message views sign their uploaded attachments each time they are built, so a message read
 * later gets working URLs. Asynchronous because an S3 presign is.
 */
export interface MediaUrls {
  sign(file: StoredFile): Promise<{ url: string; expiresAt: Date }>;
}

const current = new AsyncLocalStorage<MediaUrls>();

/**
 * Runs `fn` (and everything it awaits) with `media` as the signer of message views. The HTTP
 * and realtime entry points set it; a view is built deep under many calls that have no reason
 * to carry storage along.
 */
export function withMediaUrls<T>(media: MediaUrls, fn: () => T): T {
  return current.run(media, fn);
}

/** The signer in effect; a view of a message with an uploaded file fails loudly without one. */
export function mediaUrls(): MediaUrls {
  const media = current.getStore();
  if (!media) {
    throw new Error(
      'No media signer for this call: run it inside withMediaUrls (HTTP and realtime entry points do)',
    );
  }
  return media;
}
