import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
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
   * Streams one part of a multipart upload into its place (`offset`) in the file being made,
   * refusing (and recording nothing of) one over `maxBytes`; rejects with
   * `MultipartError('gone')` when the multipart upload was completed or aborted, so a still-valid
   * part URL cannot bring it back.
   */
  receivePart(
    key: string,
    multipartId: string,
    partNumber: number,
    offset: number,
    body: Readable,
    maxBytes: number,
  ): Promise<StoredPart>;
}

/** A multipart upload's id on disk: random hex (it names a directory). */
const MULTIPART_ID = /^[0-9a-f]{32}$/;
/**
 * A stored part's record: `<number>.<offset>.<size>.<tag>`, an empty file written once the part's
 * bytes are all in the data file. The tag (random hex) is its ETag: it names that one sending of
 * the part, as S3's ETag does (no hash of the bytes is needed for that, and none is spent); it
 * begins with the time it was made, so of two records of one part the later one is the part.
 */
const PART_FILE = /^(\d{1,5})\.(\d{1,15})\.(\d{1,15})\.([0-9a-f]{32})$/;
/** The file the parts are written into, in the upload's directory. */
const DATA_FILE = 'data';
const etagOf = (tag: string) => `"${tag}"`;
/** 32 hex digits: the time in microseconds (so a later sending sorts after), then random ones. */
let lastMicros = 0;
const newTag = () => {
  lastMicros = Math.max(lastMicros + 1, Math.floor(performance.timeOrigin * 1000 + performance.now() * 1000));
  return lastMicros.toString(16).padStart(16, '0') + randomBytes(8).toString('hex');
};
const tagOf = (etag: string) => etag.replace(/^W\//, '').replaceAll('"', '');

interface PartRecord extends StoredPart {
  offset: number;
  name: string;
}

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

  /** The parts recorded, one per number (the last one sent of each), by number. */
  const partRecords = async (key: string, multipartId: string): Promise<PartRecord[]> => {
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
    // Names only, no stat: a 10,000-part upload is listed at every part's report.
    const byNumber = new Map<number, PartRecord>();
    for (const name of names) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const part = {
        partNumber: Number(match[1]),
        offset: Number(match[2]),
        size: Number(match[3]),
        etag: etagOf(match[4]!),
        name,
      };
      // A part sent again replaces the one before it (the older record goes right after): the
      // later tag wins, as tags begin with the time they were made.
      const seen = byNumber.get(part.partNumber);
      if (!seen || seen.etag < part.etag) byNumber.set(part.partNumber, part);
    }
    return [...byNumber.values()].sort((a, b) => a.partNumber - b.partNumber);
  };
  const listParts = async (key: string, multipartId: string): Promise<StoredPart[]> =>
    (await partRecords(key, multipartId)).map(({ partNumber, size, etag }) => ({ partNumber, size, etag }));

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
    async receivePart(key, multipartId, partNumber, offset, body, maxBytes) {
      const dir = partsDir(key, multipartId);
      // The directory and its data file are made when the upload starts and removed when it ends:
      // a part arriving after that is refused rather than starting a stray file.
      if (!(await stat(join(dir, DATA_FILE)).catch(() => null))?.isFile()) {
        body.resume();
        throw new MultipartError('gone', 'This upload no longer takes parts');
      }
      // Straight into its place in the file: "complete" then has nothing to copy. A part that
      // breaks off leaves bytes in its own range only (the cap stops it at its end) and no
      // record, so it counts as not sent; sending it again writes over them.
      const bytes = await writeAt(join(dir, DATA_FILE), offset, body, maxBytes);
      // Parts lie end to end: one shorter than its share would leave a hole.
      if (bytes !== maxBytes) throw new ShortPartError(maxBytes);
      const tag = newTag();
      const kept = `${partNumber}.${offset}.${bytes}.${tag}`;
      await writeFile(join(dir, kept), '');
      const older = (await readdir(dir)).filter(
        (name) => name !== kept && PART_FILE.exec(name)?.[1] === String(partNumber),
      );
      await Promise.all(older.map((name) => rm(join(dir, name), { force: true })));
      return { partNumber, size: bytes, etag: etagOf(tag) };
    },
    multipart: {
      async create(key) {
        const multipartId = randomBytes(16).toString('hex');
        const dir = partsDir(key, multipartId);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, DATA_FILE), '', { mode: 0o600 });
        return multipartId;
      },
      async partTarget(key, multipartId, partNumber, target) {
        partsDir(key, multipartId);
        const { token, expiresAt } = options.signer.sign(
          { op: 'part', key, mp: multipartId, n: partNumber, off: target.offset, max: target.maxBytes },
          target.ttlSeconds,
        );
        return { url: `${base}${DISK_PART_PATH}?token=${token}`, headers: {}, expiresAt };
      },
      listParts,
      async complete(key, multipartId, parts, maxBytes) {
        const dir = partsDir(key, multipartId);
        const recorded = new Map(
          (await partRecords(key, multipartId)).map((part) => [part.partNumber, part]),
        );
        // The parts must be the ones recorded (their tags), and lie end to end from the start: a
        // part shorter than its share would leave a hole in the file.
        let end = 0;
        for (const part of parts) {
          const record = recorded.get(part.partNumber);
          if (!record || tagOf(record.etag) !== tagOf(part.etag)) {
            throw new MultipartError('invalid_parts', `Part ${part.partNumber} is not stored (any more)`);
          }
          if (record.offset !== end) {
            throw new MultipartError(
              'invalid_parts',
              `Part ${part.partNumber} does not start where the part before it ends`,
            );
          }
          end += record.size;
        }
        if (end > maxBytes) throw new TooLargeError(maxBytes);
        const data = join(dir, DATA_FILE);
        // A part that broke off and was sent again shorter (the last one) may have left bytes past
        // the end.
        await truncate(data, end);
        await rename(data, pathOf(key));
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

/** Counts what passes, failing with `TooLargeError` at the first byte past `maxBytes`. */
function capAt(maxBytes: number): Transform & { bytes: number } {
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      cap.bytes += chunk.length;
      if (cap.bytes > maxBytes) return done(new TooLargeError(maxBytes));
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  cap.bytes = 0;
  return cap;
}

/**
 * Streams `body` into the existing file at `path` from `offset`; past `maxBytes` it stops (what
 * was written stays, within those bytes) and rejects with `TooLargeError`. Answers the bytes.
 */
async function writeAt(path: string, offset: number, body: Readable, maxBytes: number): Promise<number> {
  const cap = capAt(maxBytes);
  await pipeline(body, cap, createWriteStream(path, { flags: 'r+', start: offset }));
  return cap.bytes;
}

/**
 * Streams `body` to a temporary file beside `path` and renames it into place when complete, so a
 * dropped upload leaves nothing half-written; past `maxBytes` it stops and keeps nothing.
 */
async function writeCapped(path: string, body: Readable, maxBytes: number): Promise<{ bytes: number }> {
  const partial = `${path}.partial-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const cap = capAt(maxBytes);
  try {
    await pipeline(body, cap, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, path);
    return { bytes: cap.bytes };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** A part that ended before its share of the file (`maxBytes`): not recorded, to be sent again. */
export class ShortPartError extends Error {
  constructor(readonly expected: number) {
    super(`A part holds exactly ${expected} bytes (its share of the file)`);
  }
}

/** Where the embedded default keeps files: beside the database. */
export const diskRootOf = (dataDir: string) => join(dataDir, 'uploads');
