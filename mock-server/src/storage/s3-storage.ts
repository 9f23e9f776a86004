import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type ByteRange,
  type DownloadOptions,
  MultipartError,
  type MultipartStorage,
  type ObjectStorage,
  type UploadTarget,
  type UploadTargetOptions,
} from './object-storage';

export interface S3StorageConfig {
  bucket: string;
  /** The S3 API the server calls (MinIO, R2, ...); omit for AWS S3 itself. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<host>/<key>`: what most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /**
   * The endpoint browsers reach, when it differs from `endpoint` (say, a container name inside the
   * cluster and a public host outside). Upload and download URLs are signed for it.
   */
  publicEndpoint?: string;
}

export function createS3Storage(config: S3StorageConfig): ObjectStorage {
  const { bucket } = config;
  const client = createClient(config, config.endpoint);
  // A presigned GET signs the Host header, so a URL for another host must be signed for that host
  // (rewriting the URL afterwards would break the signature). Presigning makes no network calls.
  const presignClient = config.publicEndpoint ? createClient(config, config.publicEndpoint) : client;

  return {
    kind: 's3',

    async uploadTarget(key: string, options: UploadTargetOptions): Promise<UploadTarget> {
      // Taken before signing, so the expiry we report is never later than the policy's.
      const expiresAt = new Date(Date.now() + options.ttlSeconds * 1000);
      // A presigned POST rather than PUT: its signed policy can cap the size, a PUT's signature cannot.
      const { url, fields } = await createPresignedPost(presignClient, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 0, options.maxBytes],
          // The SDK also turns each field into an exact-match condition; spelled out so the policy
          // pins the type whatever the SDK does.
          ['eq', '$Content-Type', options.contentType],
        ],
        Fields: { 'Content-Type': options.contentType },
        Expires: options.ttlSeconds,
      });
      return { method: 'POST', url, fields, headers: {}, expiresAt };
    },

    async head(key: string): Promise<{ size: number } | null> {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: result.ContentLength ?? 0 };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async read(key: string, range?: ByteRange): Promise<Readable> {
      const result = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // In Node the SDK's body is the HTTP response stream itself.
      if (!(result.Body instanceof Readable)) throw new Error(`S3 GetObject of ${key} returned no stream`);
      return result.Body;
    },

    async write(key: string, body: Readable | Uint8Array, contentType: string): Promise<void> {
      // lib-storage sends a small body as one PutObject and a larger or unknown-length stream as a
      // multipart upload, holding one part at a time (queueSize 1) instead of the whole object.
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        queueSize: 1,
      });
      await upload.done();
    },

    async delete(key: string): Promise<void> {
      // S3 answers a delete of a missing key with success too.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async downloadUrl(key: string, options: DownloadOptions): Promise<string> {
      return getSignedUrl(
        presignClient,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentType: options.contentType,
          ResponseContentDisposition: options.contentDisposition,
        }),
        {
          signingDate: options.window.signedAt,
          expiresIn: Math.round(
            (options.window.expiresAt.getTime() - options.window.signedAt.getTime()) / 1000,
          ),
        },
      );
    },

    multipart: s3Multipart(client, presignClient, bucket),
  };
}

/**
 * S3 multipart uploads: CreateMultipartUpload, a presigned UploadPart URL per part (the client
 * sends each part straight to S3), CompleteMultipartUpload with the parts the client reported,
 * AbortMultipartUpload.
 *
 * Not ListParts: s3rver (what the tests run) does not implement it, and a path the tests cannot
 * run is one that breaks unseen; the server keeps the parts clients report instead, and S3 checks
 * each reported ETag against what it stored when it assembles them (InvalidPart otherwise), so a
 * wrong report fails the completion, never makes a wrong file. Browsers read a part's ETag from
 * its PUT answer: the bucket's CORS rules must expose the `ETag` header.
 */
function s3Multipart(client: S3Client, presignClient: S3Client, bucket: string): MultipartStorage {
  return {
    async create(key, contentType) {
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      );
      if (!UploadId) throw new Error(`S3 CreateMultipartUpload of ${key} returned no UploadId`);
      return UploadId;
    },

    async partTarget(key, multipartId, partNumber, options) {
      const expiresAt = new Date(Date.now() + options.ttlSeconds * 1000);
      // A presigned UploadPart cannot cap the part's size (unlike a POST policy): a client may send
      // a larger part. What bounds it is the completion, which refuses a file larger than declared
      // (uploads.ts checks the assembled object's size) and removes it.
      const url = await getSignedUrl(
        presignClient,
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: multipartId, PartNumber: partNumber }),
        { expiresIn: options.ttlSeconds },
      );
      return { url, headers: {}, expiresAt };
    },

    async listParts() {
      return null;
    },

    async complete(key, multipartId, parts) {
      try {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: multipartId,
            MultipartUpload: {
              Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
            },
          }),
        );
      } catch (error) {
        if (error instanceof S3ServiceException) {
          if (error.name === 'NoSuchUpload') throw new MultipartError('gone', 'No such multipart upload');
          if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'].includes(error.name)) {
            throw new MultipartError('invalid_parts', error.message);
          }
        }
        throw error;
      }
    },

    async abort(key, multipartId) {
      try {
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: multipartId }),
        );
        return true;
      } catch (error) {
        if (isNotFound(error)) return true;
        // A storage that does not implement the call (s3rver: 405 MethodNotAllowed) will never
        // do it: say so rather than fail every delete and sweep after it.
        const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
        if (status === 405 || status === 501) return false;
        throw error;
      }
    },
  };
}

function createClient(config: S3StorageConfig, endpoint: string | undefined): S3Client {
  return new S3Client({
    region: config.region,
    endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Checksums only where the API requires them: since 3.729 the SDK adds CRC32 checksum headers
    // to every upload by default, which some S3-compatible services refuse (Cloudflare R2 answered
    // 501 NotImplemented: aws/aws-sdk-js-v3#6810). Transport integrity still comes from TLS, and
    // the chat server checks an upload's size and type after it lands.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * A missing key. (AWS answers 403, not 404, when the credentials lack s3:ListBucket: that stays an
 * error, since it is a misconfiguration rather than an absent object.)
 */
function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}
