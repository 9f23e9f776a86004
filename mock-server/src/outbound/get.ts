import http from 'node:http';
import https from 'node:https';
import { type TargetGuard, TargetRefused } from './target-guard';

/**
 * Outbound GETs of pages a user named (link previews): every hop through the target guard (the
 * URL, and each address its name resolves to when connecting), within one deadline for the
 * whole fetch, redirects included, following at most `maxRedirects`, reading at most `maxBytes`
 * of the answer (the rest is never read: the connection is closed), and only answers whose
 * type `accept` takes. Compressed answers are not asked for (a small one can inflate without
 * bound) and refused if sent anyway.
 */
export interface GetOptions {
  guard: TargetGuard;
  /** The whole fetch, first connect to last byte read, every redirect included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Whether a `Content-Type` (lower case, without parameters) is one the caller reads. */
  accept(type: string): boolean;
  headers?: Record<string, string>;
}

export type GetResult =
  | {
      ok: true;
      /** Where the answer came from, after redirects. */
      url: URL;
      contentType: string;
      /** The charset the answer's type names, if any. */
      charset: string | undefined;
      body: Buffer;
      /** The answer was longer than `maxBytes`: `body` is its start. */
      truncated: boolean;
    }
  | { ok: false; refused: boolean; reason: string };

class GetFailed extends Error {
  constructor(
    message: string,
    readonly refused = false,
  ) {
    super(message);
  }
}

export async function getGuarded(target: string, options: GetOptions): Promise<GetResult> {
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new GetFailed(`no answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  try {
    let current = target;
    for (let hop = 0; ; hop++) {
      let url: URL;
      try {
        url = options.guard.checkUrl(current);
      } catch (error) {
        throw new GetFailed((error as Error).message, true);
      }
      const answer = await getOnce(url, options, controller.signal);
      if (answer.kind === 'done') return answer.result;
      if (hop >= options.maxRedirects) throw new GetFailed(`more than ${options.maxRedirects} redirects`);
      current = answer.location;
    }
  } catch (error) {
    const failed = error instanceof GetFailed ? error : controller.signal.reason;
    if (failed instanceof GetFailed) return { ok: false, refused: failed.refused, reason: failed.message };
    const refused =
      error instanceof TargetRefused || (error as NodeJS.ErrnoException).code === 'ETARGETREFUSED';
    return { ok: false, refused, reason: (error as Error).message };
  } finally {
    clearTimeout(deadline);
  }
}

type Hop = { kind: 'done'; result: GetResult } | { kind: 'redirect'; location: string };

function getOnce(url: URL, options: GetOptions, signal: AbortSignal): Promise<Hop> {
  const secure = url.protocol === 'https:';
  return new Promise<Hop>((resolve, reject) => {
    const req = (secure ? https.request : http.request)(url, {
      method: 'GET',
      lookup: options.guard.lookup,
      // A connection of its own: nothing pooled outlives the fetch.
      agent: false,
      signal,
      headers: { 'accept-encoding': 'identity', ...options.headers },
    });
    // `on`, not `once`: a destroyed request may report more than one error.
    req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.destroy();
        try {
          resolve({ kind: 'redirect', location: new URL(location, url).href });
        } catch {
          reject(new GetFailed('a redirect to something that is not a URL'));
        }
        return;
      }
      const [type = '', ...params] = (res.headers['content-type'] ?? '').split(';');
      const contentType = type.trim().toLowerCase();
      const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const problem =
        status < 200 || status > 299
          ? `answered ${status}`
          : !options.accept(contentType)
            ? `answered ${contentType || 'no type'}, which is not read`
            : encoding !== 'identity'
              ? `answered compressed (${encoding}) although asked not to`
              : null;
      if (problem) {
        res.destroy();
        reject(new GetFailed(problem));
        return;
      }
      const charset = params.map((p) => /^\s*charset\s*=\s*"?([\w.:-]+)"?\s*$/i.exec(p)?.[1]).find(Boolean);
      const chunks: Buffer[] = [];
      let read = 0;
      let truncated = false;
      const finish = () =>
        resolve({
          kind: 'done',
          result: { ok: true, url, contentType, charset, body: Buffer.concat(chunks), truncated },
        });
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = options.maxBytes - read;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          read += room;
          truncated = chunk.length > room || res.headers['content-length'] !== String(read);
          if (truncated) {
            res.destroy();
            finish();
          }
          return;
        }
        chunks.push(chunk);
        read += chunk.length;
      });
      res.once('end', finish);
      res.on('error', (error) => reject(signal.aborted ? signal.reason : error));
      res.once('close', () => {
        if (!res.complete && !truncated)
          reject(signal.aborted ? signal.reason : new GetFailed('the answer was cut short'));
      });
    });
    req.end();
  });
}
