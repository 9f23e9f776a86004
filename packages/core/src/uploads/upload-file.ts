import type { Upload, UploadTarget } from '@chat/protocol';
import type { Environment } from '../environment';
import { ChatError, errorBodyForStatus, NetworkError, toChatError } from '../errors';
import type { HttpClient } from '../http-client';
import { type DescribedFile, describeFile, type FileInput, type UploadOptions } from './file-info';
import { resolveMediaUrl } from './media-url';
import { type TransferDeps, transfer, wait } from './transfer';

/** How often, and how long, an upload being processed (an image) is asked about after "complete". */
const PROCESSING_POLL_MS = 1_000;
const PROCESSING_WAIT_MS = 120_000;

/** Files this large go in parts that survive a dropped connection (a resumable upload). */
export const RESUMABLE_BYTES = 8 * 1024 * 1024;

type UploadDeps = { http: HttpClient; env: Environment; baseUrl: string; useXhr: boolean };

/**
 * Uploads one file: asks for a slot, sends the bytes straight to storage (the server's own
 * signed URL, or S3's presigned POST; a file of `RESUMABLE_BYTES` or more in parts, each retried
 * alone, see `upload-parts.ts`), completes it, and waits for an image's processing. Answers the
 * ready upload; a refusal (size, type, pixels, …) is a `ValidationError` with code
 * `upload_refused` and `details.reason`.
 */
export async function uploadFile(
  deps: UploadDeps,
  file: FileInput,
  options: UploadOptions = {},
): Promise<Upload> {
  const described = describeFile(file, options);
  if (described.size === 0) {
    throw new ChatError({ code: 'validation_failed', status: 400, message: `${described.name} is empty` });
  }
  const { signal } = options;
  const inParts = described.size >= RESUMABLE_BYTES;
  const id = inParts
    ? await sendInParts(deps, described, options)
    : await sendWhole(deps, described, options);
  const complete = () =>
    deps.http.request(
      'completeUpload',
      { params: { uploadId: id } },
      { idempotent: true, ...(signal && { signal }) },
    );
  let done = (
    await complete().catch(async (error: ChatError) => {
      // A part the storage lost (or never recorded): send what is missing, once, and complete.
      if (!inParts || error.details?.reason !== 'not_uploaded') throw error;
      await sendInParts(deps, described, { ...options, resumeId: id });
      return complete();
    })
  ).upload;
  const until = deps.env.clock.now() + PROCESSING_WAIT_MS;
  while (done.state === 'processing' && deps.env.clock.now() < until) {
    await wait(deps.env, PROCESSING_POLL_MS, signal);
    done = (await deps.http.request('getUpload', { params: { uploadId: id } }, { ...(signal && { signal }) }))
      .upload;
  }
  if (done.state === 'refused') throw refusal(done);
  if (done.state !== 'ready') {
    throw new NetworkError({
      code: 'unavailable',
      status: 503,
      retryable: true,
      message: `${described.name} is still being processed; try again later`,
    });
  }
  return done;
}

/** One request with the whole file; answers the upload's id. */
async function sendWhole(deps: UploadDeps, file: DescribedFile, options: UploadOptions): Promise<string> {
  const { signal } = options;
  const { upload, target } = await deps.http.request(
    'createUpload',
    { body: { name: file.name, type: file.type, size: file.size } },
    { ...(signal && { signal }) },
  );
  await sendBytes(deps, target, file, options);
  return upload.id;
}

/** Errors that say a resumable upload cannot be carried on: it is gone, expired, or for another file. */
const CANNOT_RESUME = new Set(['not_found', 'upload_refused', 'validation_failed']);

/**
 * A large file in parts (their code loads with the first such file): carries on with
 * `resumeId`'s upload when given (only the parts the server lacks go), else starts one and
 * tells `onStart` its id; answers the upload's id.
 */
async function sendInParts(deps: UploadDeps, file: DescribedFile, options: UploadOptions): Promise<string> {
  const parts = await import('./upload-parts');
  const { signal, resumeId } = options;
  const sending = { signal, onProgress: options.onProgress };
  if (resumeId) {
    try {
      await parts.resumeUploadParts(deps, resumeId, file.blob, sending);
      return resumeId;
    } catch (error) {
      const code = (error as ChatError).code;
      // Completed already: "complete" answers it again.
      if (code === 'conflict') return resumeId;
      if (!CANNOT_RESUME.has(code)) throw error;
    }
  }
  const { upload, multipart } = await deps.http.request(
    'createResumableUpload',
    { body: { name: file.name, type: file.type, size: file.size } },
    { ...(signal && { signal }) },
  );
  options.onStart?.(upload.id);
  await parts.uploadParts(deps, upload.id, multipart, file.blob, sending);
  return upload.id;
}

function refusal(upload: Upload): ChatError {
  return toChatError({
    code: 'upload_refused',
    status: 422,
    retryable: false,
    message: upload.refusal?.message ?? `${upload.name} was refused`,
    details: { reason: upload.refusal?.reason ?? 'unsupported' },
  });
}

/** The request that carries the bytes: the raw file (PUT) or a form with the fields first (POST). */
function requestOf(
  target: UploadTarget,
  file: DescribedFile,
): { headers: Record<string, string>; body: Blob | FormData } {
  if (target.method === 'PUT') return { headers: target.headers, body: file.blob };
  const form = new FormData();
  for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
  form.append('file', file.blob, file.name);
  return { headers: {}, body: form };
}

async function sendBytes(
  deps: TransferDeps & { baseUrl: string },
  target: UploadTarget,
  file: DescribedFile,
  options: UploadOptions,
): Promise<void> {
  const url = resolveMediaUrl(deps.baseUrl, target.url);
  if (!url)
    throw new ChatError({
      code: 'internal',
      message: `The server gave an unusable upload URL: ${target.url}`,
    });
  const { headers, body } = requestOf(target, file);
  options.onProgress?.(0, file.size);
  const { status } = await transfer(
    deps,
    { method: target.method, url, headers, body },
    options.signal,
    (loaded) => options.onProgress?.(Math.min(loaded, file.size), file.size),
  );
  if (status >= 400) {
    const body = errorBodyForStatus(status, `The storage refused ${file.name} (HTTP ${status})`);
    throw toChatError(status === 413 ? { ...body, code: 'payload_too_large' } : body);
  }
  options.onProgress?.(file.size, file.size);
}
