import { createRequire } from 'node:module';
import { type S3Server, startS3Server as startS3ServerOf } from '@chat/fault-kit';
import type { S3StorageConfig } from '../src/storage/s3-storage';

/**
 * A real S3-compatible server (s3rver) for the storage suites: the process handling lives in
 * `@chat/fault-kit` (shared with the local cluster, tools/local-cluster); this names the s3rver
 * this package depends on and maps it to the server's storage configuration.
 */

export type { S3Server };

const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');

/** Starts s3rver with one bucket; throws (never skips) when it cannot, with what the process printed. */
export function startS3Server(bucket = 'chat-test'): Promise<S3Server> {
  return startS3ServerOf(bin, { bucket });
}

/** The storage configuration that reaches `s3` (path-style, its hard-coded account). */
export function s3ConfigOf(s3: S3Server): S3StorageConfig {
  return {
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  };
}
