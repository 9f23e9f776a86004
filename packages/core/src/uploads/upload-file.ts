import type { Upload, UploadTarget } from '@chat/protocol';
import type { Environment } from '../environment';
import { ChatError, errorBodyForStatus, NetworkError, toChatError } from '../errors';
import type { HttpClient } from '../http-client';
import { type DescribedFile, describeFile, type FileInput, type UploadOptions } from './file-info';
import { resolveMediaUrl } from './media-url';

/** How often, and how long, an upload being processed (an image) is asked about after "complete". */
const PROCESSING_POLL_MS = 1_000;
const PROCESSING_WAIT_MS = 120_000;

/**
 * Uploads one file: asks for a slot, sends the bytes straight to storage (the server's own
 * signed URL, or S3's presigned POST), completes it, and waits for an image's processing. Answers
 * the ready upload; a refusal (size, type, pixels, …) is a `ValidationError` with code
 * `upload_refused` and `details.reason`.
 */
export async function uploadFile(
  deps: { http: HttpClient; env: Environment; baseUrl: string; useXhr: boolean },
  file: FileInput,
  options: UploadOptions = {},
): Promise<Upload> {
  const described = describeFile(file, options);
  if (described.size === 0) {
    throw new ChatError({ code: 'validation_failed', status: 400, message: `${described.name} is empty` });
  }
  const { signal } = options;
  const { upload, target } = await deps.http.request(
    'createUpload',
    { body: { name: described.name, type: described.type, size: described.size } },
    { ...(signal && { signal }) },
  );
  await sendBytes(deps, target, described, options);
  let done = (
    await deps.http.request(
      'completeUpload',
      { params: { uploadId: upload.id } },
      { idempotent: true, ...(signal && { signal }) },
    )
  ).upload;
  const until = deps.env.clock.now() + PROCESSING_WAIT_MS;
  while (done.state === 'processing' && deps.env.clock.now() < until) {
    await wait(deps.env, PROCESSING_POLL_MS, signal);
    done = (
      await deps.http.request('getUpload', { params: { uploadId: upload.id } }, { ...(signal && { signal }) })
    ).upload;
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

function refusal(upload: Upload): ChatError {
  return toChatError({
    code: 'upload_refused',
    status: 422,
    retryable: false,
    message: upload.refusal?.message ?? `${upload.name} was refused`,
    details: { reason: upload.refusal?.reason ?? 'unsupported' },
  });
}

function wait(env: Environment, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const timer = env.clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      env.clock.clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const aborted = () =>
  new NetworkError({ code: 'aborted', retryable: false, message: 'The upload was cancelled' });

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
  deps: { env: Environment; baseUrl: string; useXhr: boolean },
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
  const status = deps.useXhr
    ? await sendWithXhr(target.method, url, headers, body, file.size, options)
    : await sendWithFetch(deps.env, target.method, url, headers, body, options.signal);
  if (status >= 400) {
    const body = errorBodyForStatus(status, `The storage refused ${file.name} (HTTP ${status})`);
    throw toChatError(status === 413 ? { ...body, code: 'payload_too_large' } : body);
  }
  options.onProgress?.(file.size, file.size);
}

async function sendWithFetch(
  env: Environment,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Blob | FormData,
  signal: AbortSignal | undefined,
): Promise<number> {
  try {
    const response = await env.fetch(url, {
      method,
      headers,
      body,
      ...(signal && { signal }),
    } as RequestInit);
    // The body is not needed; reading it frees the connection.
    await response.text().catch(() => '');
    return response.status;
  } catch (cause) {
    if (signal?.aborted) throw aborted();
    throw new NetworkError({
      code: 'network_error',
      retryable: true,
      message: 'The upload did not get through',
      cause,
    });
  }
}

/** XMLHttpRequest: the one browser API that reports upload progress. */
function sendWithXhr(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Blob | FormData,
  total: number,
  options: UploadOptions,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => options.onProgress?.(Math.min(event.loaded, total), total);
    xhr.onload = () => resolve(xhr.status);
    xhr.onerror = () =>
      reject(
        new NetworkError({
          code: 'network_error',
          retryable: true,
          message: 'The upload did not get through',
        }),
      );
    xhr.onabort = () => reject(aborted());
    const { signal } = options;
    if (signal?.aborted) return reject(aborted());
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
