import type { MultipartTarget, UploadPartTarget } from '@chat/protocol';
import type { Environment } from '../environment';
import { ChatError, errorBodyForStatus, toChatError } from '../errors';
import type { HttpClient } from '../http-client';
import { resolveMediaUrl } from './media-url';
import { aborted, transfer, wait } from './transfer';

export interface UploadPartsOptions {
  /** Bytes stored so far (parts already there count at once), of `total`. */
  onProgress?(sent: number, total: number): void;
  /** Stops every part in flight; the parts already stored stay, for a later resume. */
  signal?: AbortSignal;
  /** Parts sent at once. Default 3. */
  concurrency?: number;
  /** Tries of one part before giving up, on network errors and 5xx. Default 5. */
  attempts?: number;
}

export interface UploadPartsDeps {
  http: HttpClient;
  env: Environment;
  baseUrl: string;
  /** XMLHttpRequest where there is one (browsers): the one API that reports upload progress. */
  useXhr: boolean;
}

const DEFAULT_CONCURRENCY = 3;
const DEFAULT_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** Part URLs asked for at once (the server's limit). */
const URLS_PER_REQUEST = 100;
/** A part URL this close to expiring is asked for again rather than used. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Sends a file's parts to a resumable upload (`POST /v1/uploads/resumable` answered `multipart`),
 * three at a time, each straight to storage on its signed URL, each recorded with the server once
 * stored; a part whose connection drops is tried again with backoff, alone. Resolves once every
 * part is stored: then complete the upload (`completeUpload`) as any other.
 *
 * @example
 * const { upload, multipart } = await http.request('createResumableUpload', { body });
 * await uploadParts(deps, upload.id, multipart, file, { onProgress, signal });
 * await http.request('completeUpload', { params: { uploadId: upload.id } });
 */
export function uploadParts(
  deps: UploadPartsDeps,
  uploadId: string,
  multipart: Pick<MultipartTarget, 'part_size' | 'part_count'>,
  blob: Blob,
  options: UploadPartsOptions = {},
): Promise<void> {
  return sendParts(deps, uploadId, multipart, blob, new Set(), options);
}

/**
 * Carries on with a resumable upload after a dropped connection or a reload: asks the server
 * which parts are stored and sends only the others (the same file, cut the same way). A
 * `conflict` (409) means the upload was completed already: complete it again to read it.
 *
 * @example
 * await resumeUploadParts(deps, savedUploadId, file, { onProgress });
 * await http.request('completeUpload', { params: { uploadId: savedUploadId } });
 */
export async function resumeUploadParts(
  deps: UploadPartsDeps,
  uploadId: string,
  blob: Blob,
  options: UploadPartsOptions = {},
): Promise<void> {
  const { signal } = options;
  const listed = await deps.http.request(
    'listUploadParts',
    { params: { uploadId } },
    { ...(signal && { signal }) },
  );
  const stored = new Set(
    listed.parts
      // A part counts when it holds what this file has there: its expected size.
      .filter((part) => part.size === partRange(listed, blob.size, part.part_number).size)
      .map((part) => part.part_number),
  );
  return sendParts(deps, uploadId, listed, blob, stored, options);
}

function partRange(
  multipart: Pick<MultipartTarget, 'part_size' | 'part_count'>,
  total: number,
  n: number,
): { start: number; end: number; size: number } {
  const start = (n - 1) * multipart.part_size;
  const end = Math.min(total, start + multipart.part_size);
  return { start, end, size: Math.max(0, end - start) };
}

async function sendParts(
  deps: UploadPartsDeps,
  uploadId: string,
  multipart: Pick<MultipartTarget, 'part_size' | 'part_count'>,
  blob: Blob,
  stored: ReadonlySet<number>,
  options: UploadPartsOptions,
): Promise<void> {
  const { signal } = options;
  const total = blob.size;
  if (Math.ceil(total / multipart.part_size) !== multipart.part_count) {
    throw new ChatError({
      code: 'validation_failed',
      status: 400,
      message: `This file (${total} bytes) is not the one the upload was started for`,
    });
  }
  const pending: number[] = [];
  let done = 0;
  for (let n = 1; n <= multipart.part_count; n++) {
    if (stored.has(n)) done += partRange(multipart, total, n).size;
    else pending.push(n);
  }
  const inFlight = new Map<number, number>();
  const report = () => {
    let sent = done;
    for (const loaded of inFlight.values()) sent += loaded;
    options.onProgress?.(Math.min(sent, total), total);
  };
  report();

  const targets = new Map<number, UploadPartTarget>();
  /** Parts not yet stored (waiting or in flight): what a request for URLs asks for. */
  const unsent = new Set(pending);
  const usable = (target: UploadPartTarget | undefined) =>
    target !== undefined && Date.parse(target.expires_at) - deps.env.clock.now() > EXPIRY_MARGIN_MS;
  let signing: Promise<void> | undefined;
  /** A usable URL for part `n`: asked for with the next parts still to send, one request at a time. */
  const targetOf = async (n: number, renew: boolean): Promise<UploadPartTarget> => {
    if (renew) targets.delete(n);
    // Twice at most: a batch already on its way may not hold `n`; the next one does.
    for (let round = 0; round < 3; round++) {
      const cached = targets.get(n);
      if (usable(cached)) return cached!;
      if (!signing) {
        const others = [...unsent].filter((p) => p !== n && !usable(targets.get(p)));
        signing = deps.http
          .request(
            'signUploadParts',
            { params: { uploadId }, body: { part_numbers: [n, ...others].slice(0, URLS_PER_REQUEST) } },
            { idempotent: true, ...(signal && { signal }) },
          )
          .then(({ parts }) => {
            for (const part of parts) targets.set(part.part_number, part);
          })
          .finally(() => {
            signing = undefined;
          });
      }
      await signing;
    }
    throw new ChatError({ code: 'invalid_response', message: `The server gave no usable URL for part ${n}` });
  };

  const sendOne = async (n: number): Promise<void> => {
    const range = partRange(multipart, total, n);
    const bytes = blob.slice(range.start, range.end);
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    let renew = false;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw aborted();
      const target = await targetOf(n, renew);
      renew = false;
      inFlight.set(n, 0);
      try {
        const etag = await putPart(deps, target, bytes, signal, (loaded) => {
          inFlight.set(n, Math.min(loaded, range.size));
          report();
        });
        await deps.http.request(
          'recordUploadPart',
          { params: { uploadId, partNumber: n }, body: { etag, size: range.size } },
          { idempotent: true, ...(signal && { signal }) },
        );
        inFlight.delete(n);
        unsent.delete(n);
        done += range.size;
        report();
        return;
      } catch (caught) {
        inFlight.delete(n);
        report();
        const error = caught as ChatError;
        if (signal?.aborted) throw aborted();
        // An expired or refused URL (403): a fresh one is one request away.
        if (error.status === 403 && error.code === 'forbidden') renew = true;
        else if (!error.retryable) throw error;
        if (attempt >= attempts) throw error;
        await wait(deps.env, backoff(attempt, deps.env.random()), signal);
      }
    }
  };

  // Workers take the next part to send; the first failure that is not retried stops them all.
  let failure: unknown;
  const stop = new AbortController();
  const worker = async () => {
    while (failure === undefined && !stop.signal.aborted) {
      const n = pending.shift();
      if (n === undefined) return;
      try {
        await sendOne(n);
      } catch (error) {
        failure ??= error;
        stop.abort();
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, pending.length || 1));
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== undefined) throw failure;
}

/** Full jitter between half and all of an exponential delay. */
function backoff(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** PUTs one part; answers the ETag storage gave it. */
async function putPart(
  deps: UploadPartsDeps,
  target: UploadPartTarget,
  bytes: Blob,
  signal: AbortSignal | undefined,
  onProgress: (loaded: number) => void,
): Promise<string> {
  const url = resolveMediaUrl(deps.baseUrl, target.url);
  if (!url) {
    throw new ChatError({ code: 'internal', message: `The server gave an unusable part URL: ${target.url}` });
  }
  const answer = await transfer(
    deps,
    { method: 'PUT', url, headers: target.headers, body: bytes },
    signal,
    onProgress,
  );
  const { status } = answer;
  if (status >= 400) {
    const body = errorBodyForStatus(status, `The storage refused a part (HTTP ${status})`);
    throw toChatError(
      status === 413
        ? { ...body, code: 'payload_too_large' }
        : status === 403
          ? { ...body, code: 'forbidden', retryable: false }
          : body,
    );
  }
  const etag = answer.etag ?? etagInBody(answer.text);
  if (!etag) {
    // S3 sends it, but a browser only shows it when the bucket's CORS rules expose it.
    throw new ChatError({
      code: 'internal',
      message:
        'The storage answered a part without an ETag a page can read (expose ETag in the bucket CORS rules)',
    });
  }
  onProgress(bytes.size);
  return etag;
}

/** This server's own part route also names the ETag in its JSON body (S3's answer is empty). */
function etagInBody(text: string): string | null {
  try {
    const etag = (JSON.parse(text) as { etag?: unknown }).etag;
    return typeof etag === 'string' ? etag : null;
  } catch {
    return null;
  }
}
