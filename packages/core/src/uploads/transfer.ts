import type { Environment } from '../environment';
import { NetworkError } from '../errors';

/** How bytes go to storage: `fetch` (Node, tests, an injected one) or XMLHttpRequest (browsers: progress). */
export interface TransferDeps {
  env: Environment;
  useXhr: boolean;
}

/** What storage answered: its status, the ETag (a part's) and the body as text. */
export interface TransferResult {
  status: number;
  etag: string | null;
  text: string;
}

export const aborted = () =>
  new NetworkError({ code: 'aborted', retryable: false, message: 'The upload was cancelled' });

const dropped = (cause?: unknown) =>
  new NetworkError({
    code: 'network_error',
    retryable: true,
    message: 'The upload did not get through',
    ...(cause !== undefined && { cause }),
  });

/**
 * Sends a body straight to storage (a signed URL), reporting the bytes sent where the host can
 * (XMLHttpRequest reports as they go; fetch only at the end). A connection that drops is a
 * retryable `network_error`; an abort, `aborted`. The caller reads the status.
 */
export function transfer(
  deps: TransferDeps,
  request: { method: string; url: string; headers: Record<string, string>; body: Blob | FormData },
  signal: AbortSignal | undefined,
  onProgress?: (loaded: number) => void,
): Promise<TransferResult> {
  return deps.useXhr ? withXhr(request, signal, onProgress) : withFetch(deps.env, request, signal);
}

async function withFetch(
  env: Environment,
  { method, url, headers, body }: Parameters<typeof transfer>[1],
  signal: AbortSignal | undefined,
): Promise<TransferResult> {
  try {
    const response = await env.fetch(url, {
      method,
      headers,
      body,
      ...(signal && { signal }),
    } as RequestInit);
    // Read to the end: it frees the connection (and a part's route names its ETag there).
    const text = await response.text().catch(() => '');
    return { status: response.status, etag: response.headers.get('etag'), text };
  } catch (cause) {
    if (signal?.aborted) throw aborted();
    throw dropped(cause);
  }
}

function withXhr(
  { method, url, headers, body }: Parameters<typeof transfer>[1],
  signal: AbortSignal | undefined,
  onProgress?: (loaded: number) => void,
): Promise<TransferResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded);
    const onAbort = () => xhr.abort();
    const settle = () => signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      settle();
      resolve({ status: xhr.status, etag: xhr.getResponseHeader('etag'), text: xhr.responseText });
    };
    xhr.onerror = () => {
      settle();
      reject(dropped());
    };
    xhr.onabort = () => {
      settle();
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(body);
  });
}

/** Waits `ms` on the environment's clock; an abort ends the wait with `aborted`. */
export function wait(env: Environment, ms: number, signal: AbortSignal | undefined): Promise<void> {
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
