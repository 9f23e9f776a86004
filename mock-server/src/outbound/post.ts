import http from 'node:http';
import https from 'node:https';
import { type TargetGuard, TargetRefused } from './target-guard';

/**
 * Outbound POSTs to servers the platform does not run (webhook receivers, hooks, push services):
 * through the target guard (no private, loopback or link-local address unless allowed), within a
 * timeout from connect to the answer's last byte, reading at most 64 KiB of the answer, never
 * following a redirect (a 3xx is just a status, so a redirect cannot lead where the guard would
 * refuse).
 */
export interface OutboundOptions {
  guard: TargetGuard;
  /** The whole request, connect to last byte of the answer. */
  timeoutMs: number;
  /** Extra certificate authorities to trust (PEM), e.g. a proxy's, or a test's own. */
  ca?: string;
}

export type PostResult =
  | {
      ok: true;
      status: number;
      headers: http.IncomingHttpHeaders;
      answer: Buffer;
      latencyMs: number;
    }
  | { ok: false; refused: boolean; reason: string; latencyMs: number };

/** Bytes of the answer read at most (the rest is dropped). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function postGuarded(
  target: string,
  headers: Record<string, string | number>,
  body: string | Buffer,
  options: OutboundOptions,
): Promise<PostResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = options.guard.checkUrl(target);
  } catch (error) {
    return Promise.resolve({ ok: false, refused: true, reason: (error as Error).message, latencyMs: 0 });
  }
  const secure = url.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise<PostResult>((resolve) => {
    const req = send(url, {
      method: 'POST',
      lookup: options.guard.lookup,
      timeout: options.timeoutMs,
      headers: { 'content-length': Buffer.byteLength(body), ...headers },
      ...(secure && options.ca && { ca: options.ca }),
    });
    const deadline = setTimeout(
      () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
        else chunks.push(chunk);
      });
      const finish = () => {
        clearTimeout(deadline);
        resolve({
          ok: true,
          status: res.statusCode ?? 0,
          headers: res.headers,
          answer: Buffer.concat(chunks),
          latencyMs: latency(),
        });
      };
      res.once('end', finish);
      res.once('close', finish);
      res.once('error', finish);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      const refused = error instanceof TargetRefused || error.code === 'ETARGETREFUSED';
      resolve({ ok: false, refused, reason: error.message, latencyMs: latency() });
    });
    req.end(body);
  });
}

/** Longest `Retry-After` honoured; beyond this is taken as this. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - Date.now();
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds, MAX_RETRY_AFTER_MS);
}
