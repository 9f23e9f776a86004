import type { Readable } from 'node:stream';

/**
 * Where a client sends an upload's bytes itself, without them passing through a chat node's
 * memory: an S3 presigned POST (its policy caps the size; a presigned PUT cannot), or a signed URL
 * of this server that streams to disk with the same cap.
 */
export interface UploadTarget {
  /** `POST`: a multipart form with `fields` first and the file last (field `file`). `PUT`: the raw bytes. */
  method: 'POST' | 'PUT';
  url: string;
  /** Form fields to send before the file (POST). */
  fields: Record<string, string>;
  /** Headers to send with the request (PUT). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface UploadTargetOptions {
  /** The most bytes the target accepts: a larger upload is refused by the storage itself. */
  maxBytes: number;
  /** The type the client declared (stored with the object; the server sniffs the real one after). */
  contentType: string;
  ttlSeconds: number;
}

export interface DownloadOptions {
  /**
   * When the URL starts and stops working (see `downloadWindow`): the same window gives the same
   * URL, so a browser's cache keeps an image across reads and reloads.
   */
  window: DownloadWindow;
  /** Served as this type, whatever was stored. */
  contentType: string;
  /** `inline` for media shown in the page, `attachment` (with the file name) for everything else. */
  contentDisposition: string;
}

export interface DownloadWindow {
  signedAt: Date;
  expiresAt: Date;
}

/**
 * The window a download URL signed now is valid in: it starts at the last multiple of half the
 * TTL and lasts a whole TTL, so it is valid for at least half the TTL from now, and every URL of
 * one object signed within the same half-TTL is the same URL.
 */
export function downloadWindow(ttlSeconds: number, now = Date.now()): DownloadWindow {
  const half = Math.max(1, Math.floor(ttlSeconds / 2)) * 1000;
  const signedAt = Math.floor(now / half) * half;
  return { signedAt: new Date(signedAt), expiresAt: new Date(signedAt + 2 * half) };
}

/** A byte range of an object, both ends included (as in an HTTP `Range` header). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Object storage behind one interface: local disk (the embedded default) or S3-compatible.
 * Keys are opaque paths chosen by the server (`<app>/<upload id>/<variant>`), never by a client.
 */
export interface ObjectStorage {
  readonly kind: 'disk' | 's3';
  /** A direct-upload target for `key`. */
  uploadTarget(key: string, options: UploadTargetOptions): Promise<UploadTarget>;
  /** The stored object's size, or null when there is none. */
  head(key: string): Promise<{ size: number } | null>;
  /** The object's bytes, or a range of them. Rejects when there is no such object. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Stores bytes the server made itself (a thumbnail, a re-encoded image). */
  write(key: string, body: Readable | Uint8Array, contentType: string): Promise<void>;
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A short-lived URL a browser can GET directly (`<img src>`, `<video src>`, Range requests):
   * presigned on S3; on disk, this server's own signed URL.
   */
  downloadUrl(key: string, options: DownloadOptions): Promise<string>;
  /** Uploads in parts, which survive a dropped connection (storage/upload-parts.ts). */
  readonly multipart: MultipartStorage;
}

/** Where one part's bytes go: a `PUT` of the raw bytes with `headers`. */
export interface PartTarget {
  url: string;
  headers: Record<string, string>;
  expiresAt: Date;
}

/** A part in storage: its number (from 1), its size and the ETag the storage gave it. */
export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
}

/**
 * A file sent in numbered parts, each straight to storage on its own signed URL (S3 multipart
 * semantics; on disk, written into their place in one file, with a record per part), then
 * assembled into `key`.
 * `multipartId` is the storage's id of one such upload (S3's UploadId).
 */
export interface MultipartStorage {
  /** Starts a multipart upload of `key`; answers its id. */
  create(key: string, contentType: string): Promise<string>;
  /**
   * A signed, expiring `PUT` target for one part. `maxBytes` is the part size: disk storage
   * refuses a larger part; S3 cannot (a presigned UploadPart signs no length), so there the
   * declared size, checked on the assembled file, is the cap. `offset` is where the part starts
   * in the file (disk storage writes it there; S3 places parts by number).
   */
  partTarget(
    key: string,
    multipartId: string,
    partNumber: number,
    options: { maxBytes: number; ttlSeconds: number; offset: number },
  ): Promise<PartTarget>;
  /**
   * The parts stored, by number, read from the storage itself; null when this storage does not
   * list them (S3: ListParts is missing from S3-compatible servers such as s3rver, so the server
   * keeps the parts its clients report, and S3 checks their ETags when they are assembled).
   */
  listParts(key: string, multipartId: string): Promise<StoredPart[] | null>;
  /**
   * Assembles `parts` (every one, in order) into `key`, streaming, and ends the multipart upload.
   * Rejects with `MultipartError` when the storage refuses them (a part missing or not matching
   * its ETag, the multipart upload gone) and with `TooLargeError` (disk) past `maxBytes`.
   */
  complete(key: string, multipartId: string, parts: StoredPart[], maxBytes: number): Promise<void>;
  /**
   * Ends the multipart upload and removes its parts; one already gone is not an error. Answers
   * false when the storage cannot abort at all (s3rver answers 405), so the parts stay until the
   * storage's own cleanup (on AWS, a lifecycle rule AbortIncompleteMultipartUpload).
   */
  abort(key: string, multipartId: string): Promise<boolean>;
}

/** The storage refused to assemble a multipart upload: `gone` when the upload no longer exists. */
export class MultipartError extends Error {
  constructor(
    readonly reason: 'invalid_parts' | 'gone',
    message: string,
  ) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** An upload bigger than its slot: the bytes past the cap were never written. */
export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The upload is larger than the ${maxBytes} bytes announced`);
  }
}
