import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MediaUrls } from '../domain/media-urls';
import { createDiskStorage, type DiskStorage, diskRootOf } from '../storage/disk-storage';
import { createMediaUrls } from '../storage/media-signer';
import type { ObjectStorage } from '../storage/object-storage';
import { createS3Storage, type S3StorageConfig } from '../storage/s3-storage';
import { DEFAULT_UPLOAD_POLICY, type UploadPolicy } from '../storage/upload-policy';
import { createUrlSigner, type UrlSigner } from '../storage/url-signer';

export interface StorageSetup {
  /** Where uploads go: S3 when configured, else the disk. */
  storage: ObjectStorage;
  /** Disk storage, whose URLs this server answers; none on S3. */
  disk: DiskStorage | undefined;
  signer: UrlSigner;
  policy: UploadPolicy;
  /** Signs message views' uploaded files (domain/media-urls.ts). */
  media: MediaUrls;
  /** Removes what this process made for itself (a temporary directory for an in-memory server). */
  close(): void;
}

/**
 * Object storage for this server: S3-compatible storage when configured (`CHAT_S3_*`), else files
 * on disk beside the embedded database (`<data dir>/uploads`), or in a temporary directory for an
 * in-memory one. URLs are signed with a key derived from
 * `CHAT_SECRET_KEY` when set (the same on every node), else one kept in the data directory, else
 * one per process. Several nodes need S3 and `CHAT_SECRET_KEY` (disk is one machine's).
 */
export function setUpStorage(options: {
  secretKey: string | undefined;
  /** The embedded database's directory, or `memory`. */
  dataDir: string;
  s3?: S3StorageConfig | undefined;
  policy?: Partial<UploadPolicy>;
}): StorageSetup {
  const policy = { ...DEFAULT_UPLOAD_POLICY, ...options.policy };
  if (options.s3) {
    const signer = createUrlSigner(signingKey(options.secretKey, undefined));
    const storage = createS3Storage(options.s3);
    return {
      storage,
      disk: undefined,
      signer,
      policy,
      media: createMediaUrls(storage, policy.downloadTtlSeconds),
      close() {},
    };
  }
  const persistent = options.dataDir !== 'memory';
  const root = persistent
    ? diskRootOf(resolve(options.dataDir))
    : mkdtempSync(join(tmpdir(), 'chat-uploads-'));
  mkdirSync(root, { recursive: true });
  const signer = createUrlSigner(signingKey(options.secretKey, persistent ? options.dataDir : undefined));
  const disk = createDiskStorage({ root, signer });
  return {
    storage: disk,
    disk,
    signer,
    policy,
    media: createMediaUrls(disk, policy.downloadTtlSeconds),
    close() {
      if (!persistent) rmSync(root, { recursive: true, force: true });
    },
  };
}

function signingKey(secretKey: string | undefined, dataDir: string | undefined): string {
  // A key of its own, derived: a URL signature can never be replayed as a sealed secret's.
  if (secretKey) return createHash('sha256').update(`storage-urls:${secretKey}`).digest('base64url');
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(resolve(dataDir), 'storage.key');
  if (!existsSync(file))
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}
