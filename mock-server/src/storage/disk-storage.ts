import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ByteRange,
  type DownloadOptions,
  MultipartError,
  type ObjectStorage,
  type StoredPart,
  TooLargeError,
  type UploadTarget,
  type UploadTargetOptions,
} from './object-storage';
import type { UrlSigner } from './url-signer';

export { TooLargeError } from './object-storage';

/** The routes this server answers for disk storage (http/storage-routes.ts). */
export const DISK_UPLOAD_PATH = '/v1/storage/upload';
export const DISK_PART_PATH = '/v1/storage/part';
export const DISK_DOWNLOAD_PATH = '/v1/storage/file';

export interface DiskStorage extends ObjectStorage {
  readonly kind: 'disk';
  /** Streams an upload to `key`, refusing (and keeping nothing of) one over `maxBytes`. */
  receive(key: string, body: Readable, maxBytes: number): Promise<number>;
  /**
   * Streams one part of a multipart upload, refusing (and keeping nothing of) one over
   * `maxBytes`; rejects with `MultipartError('gone')` when the multipart upload was completed or
   * aborted, so a still-valid part URL cannot bring it back.
   */
  receivePart(
    key: string,
    multipartId: string,
    partNumber: number,
    body: Readable,
    maxBytes: number,
  ): Promise<StoredPart>;
}

/** A multipart upload's id on disk: random hex (it names a directory). */
const MULTIPART_ID = /^[0-9a-f]{32}$/;
/** A stored part's file: `<number>.<md5 hex>` (the MD5 is its ETag, as on S3). */
const PART_FILE = /^(\d{1,5})\.([0-9a-f]{32})$/;
const etagOf = (md5: string) => `"${md5}"`;
const md5Of = (etag: string) => etag.replace(/^W\//, '').replaceAll('"', '');

/**
 * Files under a directory (the embedded default: `<data dir>/uploads`). Uploads and downloads go
 * through this server on signed, expiring URLs; a file is written beside its place and renamed
 * into it when complete, so a dropped upload leaves nothing half-written.
 */
export function createDiskStorage(options: {
  root: string;
  signer: UrlSigner;
  baseUrl?: string;
}): DiskStorage {
  const root = resolve(options.root);
  const base = options.baseUrl?.replace(/\/$/, '') ?? '';
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    // Keys are made by the server, but a path outside the root is refused whatever made it.
    if (!path.startsWith(root + sep)) throw new Error(`Storage key outside the storage root: ${key}`);
    return path;
  };

  const write = async (key: string, body: Readable, maxBytes: number): Promise<number> => {
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const { bytes } = await writeCapped(path, body, maxBytes);
    return bytes;
  };

  /** Where a multipart upload's parts are: a directory beside the file they make. */
  const partsDir = (key: string, multipartId: string) => {
    if (!MULTIPART_ID.test(multipartId)) throw new MultipartError('gone', 'No such multipart upload');
    return pathOf(`${key}.parts-${multipartId}`);
  };

  const listParts = async (key: string, multipartId: string): Promise<StoredPart[]> => {
    const dir = partsDir(key, multipartId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new MultipartError('gone', 'No such multipart upload');
      }
      throw error;
    }
    const byNumber = new Map<number, StoredPart & { mtime: number }>();
    for (const name of names) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const info = await stat(join(dir, name)).catch(() => null);
      if (!info) continue;
      const part = {
        partNumber: Number(match[1]),
        size: info.size,
        etag: etagOf(match[2]!),
        mtime: info.mtimeMs,
      };
      // A part sent again replaces the one before it (the older file goes right after the rename).
      const seen = byNumber.get(part.partNumber);
      if (!seen || seen.mtime <= part.mtime) byNumber.set(part.partNumber, part);
    }
    return [...byNumber.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(({ partNumber, size, etag }) => ({ partNumber, size, etag }));
  };

  return {
    kind: 'disk',
    async uploadTarget(key: string, target: UploadTargetOptions): Promise<UploadTarget> {
      const { token, expiresAt } = options.signer.sign(
        { op: 'put', key, max: target.maxBytes, type: target.contentType },
        target.ttlSeconds,
      );
      return {
        method: 'PUT',
        url: `${base}${DISK_UPLOAD_PATH}?token=${token}`,
        fields: {},
        headers: { 'content-type': target.contentType },
        expiresAt,
      };
    },
    async head(key) {
      try {
        const info = await stat(pathOf(key));
        return info.isFile() ? { size: info.size } : null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async read(key, range?: ByteRange) {
      const path = pathOf(key);
      await stat(path);
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },
    receive: write,
    async receivePart(key, multipartId, partNumber, body, maxBytes) {
      const dir = partsDir(key, multipartId);
      // The directory is made when the upload starts and removed when it ends: a part arriving
      // after that is refused rather than starting a stray directory.
      if (!(await stat(dir).catch(() => null))?.isDirectory()) {
        body.resume();
        throw new MultipartError('gone', 'This upload no longer takes parts');
      }
      const { bytes, md5 } = await writeCapped(join(dir, `${partNumber}.tmp`), body, maxBytes, {
        hash: true,
        finalName: (digest) => join(dir, `${partNumber}.${digest}`),
      });
      const kept = `${partNumber}.${md5}`;
      const older = (await readdir(dir)).filter(
        (name) => name !== kept && PART_FILE.exec(name)?.[1] === String(partNumber),
      );
      await Promise.all(older.map((name) => rm(join(dir, name), { force: true })));
      return { partNumber, size: bytes, etag: etagOf(md5!) };
    },
    multipart: {
      async create(key) {
        const multipartId = randomBytes(16).toString('hex');
        await mkdir(partsDir(key, multipartId), { recursive: true });
        return multipartId;
      },
      async partTarget(key, multipartId, partNumber, target) {
        partsDir(key, multipartId);
        const { token, expiresAt } = options.signer.sign(
          { op: 'part', key, mp: multipartId, n: partNumber, max: target.maxBytes },
          target.ttlSeconds,
        );
        return { url: `${base}${DISK_PART_PATH}?token=${token}`, headers: {}, expiresAt };
      },
      listParts,
      async complete(key, multipartId, parts, maxBytes) {
        const dir = partsDir(key, multipartId);
        const files = parts.map((part) => join(dir, `${part.partNumber}.${md5Of(part.etag)}`));
        // One part file open at a time: the file is streamed together, never held in memory.
        async function* concatenated() {
          for (const file of files) {
            try {
              yield* createReadStream(file);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
                throw new MultipartError('invalid_parts', 'A part is not stored (any more)');
              }
              throw error;
            }
          }
        }
        await write(key, Readable.from(concatenated()), maxBytes);
        await rm(dir, { recursive: true, force: true });
      },
      async abort(key, multipartId) {
        await rm(partsDir(key, multipartId), { recursive: true, force: true });
        return true;
      },
    },
    async write(key, body) {
      await write(key, body instanceof Uint8Array ? Readable.from([body]) : body, Number.MAX_SAFE_INTEGER);
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async downloadUrl(key, download: DownloadOptions) {
      const { token } = options.signer.signUntil(
        { op: 'get', key, type: download.contentType, disposition: download.contentDisposition },
        download.window.expiresAt,
      );
      return `${base}${DISK_DOWNLOAD_PATH}?token=${token}`;
    },
  };
}

/**
 * Streams `body` to a temporary file beside `path` and renames it into place when complete, so a
 * dropped upload leaves nothing half-written; past `maxBytes` it stops and keeps nothing. With
 * `hash`, also answers the bytes' MD5 (hex), and `finalName` may name the file after it.
 */
async function writeCapped(
  path: string,
  body: Readable,
  maxBytes: number,
  options: { hash?: boolean; finalName?: (md5: string) => string } = {},
): Promise<{ bytes: number; md5?: string }> {
  const partial = `${path}.partial-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  let bytes = 0;
  const hash = options.hash ? createHash('md5') : null;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new TooLargeError(maxBytes));
      hash?.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, cap, createWriteStream(partial, { mode: 0o600 }));
    const md5 = hash?.digest('hex');
    await rename(partial, md5 && options.finalName ? options.finalName(md5) : path);
    return { bytes, ...(md5 && { md5 }) };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Where the embedded default keeps files: beside the database. */
export const diskRootOf = (dataDir: string) => join(dataDir, 'uploads');
