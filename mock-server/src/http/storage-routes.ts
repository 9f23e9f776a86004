import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChatError } from '../kernel/errors';
import {
  DISK_DOWNLOAD_PATH,
  DISK_PART_PATH,
  DISK_UPLOAD_PATH,
  type DiskStorage,
  ShortPartError,
  TooLargeError,
} from '../storage/disk-storage';
import { MultipartError } from '../storage/object-storage';
import type { UrlSigner } from '../storage/url-signer';

/**
 * The URLs disk storage hands out (S3 serves its own): a direct upload (`PUT`, raw bytes, capped at
 * the size announced) and a download usable in `<img src>` (Range requests, the type and
 * disposition the server chose, never sniffed by the browser). Both are signed and expire; no
 * login, as a browser's `<img>` sends none.
 */
export function registerStorageRoutes(app: FastifyInstance, disk: DiskStorage, signer: UrlSigner): void {
  const claims = (request: FastifyRequest, op: 'put' | 'part' | 'get') => {
    const token = (request.query as { token?: unknown }).token;
    const verdict = typeof token === 'string' ? signer.verify(token) : { refused: 'forged' as const };
    if ('refused' in verdict) {
      throw new ChatError(
        'forbidden',
        verdict.refused === 'expired' ? 'This storage URL has expired' : 'This storage URL is not valid',
        { reason: verdict.refused },
      );
    }
    if (verdict.payload.op !== op) throw new ChatError('forbidden', 'This storage URL is not valid');
    return verdict.payload as {
      key: string;
      max?: number;
      type: string;
      disposition?: string;
      /** A part's multipart upload and number (`part`). */
      mp?: string;
      n?: number;
      /** Where the part starts in the file (`part`). */
      off?: number;
    };
  };

  // Its own scope: the raw body is streamed to disk here, never parsed or buffered.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.put(DISK_UPLOAD_PATH, async (request, reply) => {
      const { key, max } = claims(request, 'put');
      const limit = Number(max);
      const announced = Number(request.headers['content-length']);
      if (Number.isFinite(announced) && announced > limit) {
        throw new ChatError('payload_too_large', `The upload is larger than the ${limit} bytes announced`);
      }
      try {
        const bytes = await disk.receive(key, request.raw, limit);
        return reply.status(200).send({ ok: true, size: bytes });
      } catch (error) {
        if (error instanceof TooLargeError) {
          throw new ChatError('payload_too_large', error.message);
        }
        throw error;
      }
    });
    // One part of a resumable upload (storage/upload-parts.ts): capped at the part's size, written
    // into its place in the file; the answer's ETag names this sending of it, as S3's does.
    scope.put(DISK_PART_PATH, async (request, reply) => {
      const { key, max, mp, n, off } = claims(request, 'part');
      const limit = Number(max);
      // A part URL signed before parts had places (an older server) cannot say where it goes.
      if (!Number.isSafeInteger(off) || off! < 0)
        throw new ChatError('not_found', 'This upload no longer takes parts');
      const announced = Number(request.headers['content-length']);
      if (Number.isFinite(announced) && announced > limit) {
        throw new ChatError('payload_too_large', `A part holds at most ${limit} bytes`);
      }
      try {
        const part = await disk.receivePart(
          String(key),
          String(mp),
          Number(n),
          Number(off),
          request.raw,
          limit,
        );
        return reply
          .status(200)
          .header('etag', part.etag)
          .send({ ok: true, size: part.size, etag: part.etag });
      } catch (error) {
        if (error instanceof TooLargeError)
          throw new ChatError('payload_too_large', `A part holds at most ${limit} bytes`);
        if (error instanceof ShortPartError) throw new ChatError('validation_failed', error.message);
        if (error instanceof MultipartError)
          throw new ChatError('not_found', 'This upload no longer takes parts');
        throw error;
      }
    });
  });

  const download = async (request: FastifyRequest, reply: FastifyReply, withBody: boolean) => {
    const { key, type, disposition } = claims(request, 'get');
    const stored = await disk.head(key);
    if (!stored) throw new ChatError('not_found', 'File not found');
    const range = parseRange(request.headers.range, stored.size);
    reply
      .header('content-type', type)
      .header('content-disposition', disposition ?? 'attachment')
      .header('x-content-type-options', 'nosniff')
      .header('accept-ranges', 'bytes')
      // The URL is one user's and expires: private, and never kept past it.
      .header('cache-control', 'private, max-age=300');
    if (range === 'unsatisfiable') {
      return reply.status(416).header('content-range', `bytes */${stored.size}`).send();
    }
    if (range) {
      reply
        .status(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${stored.size}`)
        .header('content-length', range.end - range.start + 1);
    } else reply.status(200).header('content-length', stored.size);
    if (!withBody) return reply.send();
    return reply.send(await disk.read(key, range ?? undefined));
  };
  // Fastify answers HEAD from this route too (the headers, no body).
  app.get(DISK_DOWNLOAD_PATH, (request, reply) => download(request, reply, request.method !== 'HEAD'));
}

/** One `bytes=` range (the only kind media elements send), or null for the whole file. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    // The last N bytes.
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
