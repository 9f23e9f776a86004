import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  ByteRange,
  DownloadOptions,
  ObjectStorage,
  UploadTarget,
  UploadTargetOptions,
} from './object-storage';
import type { UrlSigner } from './url-signer';

/** The routes this server answers for disk storage (http/storage-routes.ts). */
export const DISK_UPLOAD_PATH = '/v1/storage/upload';
export const DISK_DOWNLOAD_PATH = '/v1/storage/file';

/** An upload bigger than its slot: the bytes past the cap were never written. */
export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The upload is larger than the ${maxBytes} bytes announced`);
  }
}

export interface DiskStorage extends ObjectStorage {
  readonly kind: 'disk';
  /** Streams an upload to `key`, refusing (and keeping nothing of) one over `maxBytes`. */
  receive(key: string, body: Readable, maxBytes: number): Promise<number>;
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
    const partial = `${path}.partial-${process.pid}-${Date.now()}`;
    let bytes = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? new TooLargeError(maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(body, cap, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, path);
      return bytes;
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
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

/** Where the embedded default keeps files: beside the database. */
export const diskRootOf = (dataDir: string) => join(dataDir, 'uploads');
