import http2 from 'node:http2';
import type { OutboundOptions, PostResult } from './post';
import { TargetRefused } from './target-guard';

/** Bytes of an answer read at most (the rest is dropped). */
const MAX_ANSWER_BYTES = 64 * 1024;

interface OpenSession {
  session: http2.ClientHttp2Session;
  /** Why the connection failed, once it has (a refused target fails every request on it). */
  failure?: Error;
  /** When a frame last came back on it: a request timing out on a silent connection drops it. */
  lastAnswerAt: number;
}

/**
 * POSTs over HTTP/2 to push services (APNs only speaks HTTP/2; FCM's endpoint does, and a stream
 * costs a third of the CPU of an HTTP/1.1 request): one connection per origin, reused by every
 * request, with the same rules as `postGuarded` — the target guard checks the host and resolves
 * its name, each request has a timeout, at most 64 KiB of an answer is read. A connection that
 * fails, is told to go away, or stays silent past a timeout is dropped; the next request opens
 * another.
 */
export class Http2Poster {
  private readonly sessions = new Map<string, OpenSession>();

  constructor(private readonly options: OutboundOptions) {}

  post(target: string, headers: Record<string, string>, body: string | Buffer): Promise<PostResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    let url: URL;
    let open: OpenSession;
    try {
      url = this.options.guard.checkUrl(target);
      if (url.protocol !== 'https:') throw new TargetRefused(`${url.protocol} is not https:`);
      open = this.session(url.origin, url);
    } catch (error) {
      return Promise.resolve({ ok: false, refused: true, reason: (error as Error).message, latencyMs: 0 });
    }
    return new Promise<PostResult>((resolve) => {
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const refused =
          open.failure instanceof TargetRefused ||
          (open.failure as NodeJS.ErrnoException | undefined)?.code === 'ETARGETREFUSED';
        resolve({ ok: false, refused, reason: open.failure?.message ?? reason, latencyMs: latency() });
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = open.session.request({
          ':method': 'POST',
          ':path': `${url.pathname}${url.search}`,
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        });
      } catch (error) {
        this.drop(url.origin, open);
        fail((error as Error).message);
        return;
      }
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        if (performance.now() - open.lastAnswerAt > this.options.timeoutMs) this.drop(url.origin, open);
        fail(`no answer within ${this.options.timeoutMs} ms`);
      }, this.options.timeoutMs);
      let status = 0;
      let answerHeaders: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let read = 0;
      stream.on('response', (h) => {
        open.lastAnswerAt = performance.now();
        status = Number(h[':status']);
        answerHeaders = h;
      });
      stream.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        // A stream ended by a connection going down, before any answer.
        if (status === 0) return fail('the connection closed with no answer');
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          ok: true,
          status,
          headers: answerHeaders,
          answer: Buffer.concat(chunks),
          latencyMs: latency(),
        });
      });
      stream.on('error', (error) => fail(error.message));
      stream.on('close', () => fail('the stream closed with no answer'));
      stream.end(body);
    });
  }

  /** Closes the connections (the worker stops). */
  close(): void {
    for (const { session } of this.sessions.values()) session.close();
    this.sessions.clear();
  }

  private session(origin: string, url: URL): OpenSession {
    const kept = this.sessions.get(origin);
    if (kept && !kept.session.closed && !kept.session.destroyed) return kept;
    const session = http2.connect(url.origin, {
      lookup: this.options.guard.lookup,
      ...(this.options.ca && { ca: this.options.ca }),
    });
    const open: OpenSession = { session, lastAnswerAt: performance.now() };
    session.on('error', (error) => {
      open.failure = error;
      this.drop(origin, open);
    });
    session.on('goaway', () => this.drop(origin, open));
    session.on('close', () => this.forget(origin, open));
    // Idle connections do not keep the worker's process alive.
    session.unref();
    this.sessions.set(origin, open);
    return open;
  }

  private drop(origin: string, open: OpenSession): void {
    this.forget(origin, open);
    open.session.destroy();
  }

  private forget(origin: string, open: OpenSession): void {
    if (this.sessions.get(origin) === open) this.sessions.delete(origin);
  }
}
