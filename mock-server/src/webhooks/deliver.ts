import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { type TargetGuard, TargetRefused } from './target-guard';

/** One webhook request: the event as JSON, signed as Standard Webhooks says. */
export interface WebhookRequest {
  url: string;
  /** `whsec_…`: each signs, so a receiver holding any of them verifies (a rotation). */
  secrets: readonly string[];
  /** The same on every attempt of one event to one endpoint (`webhook-id`): receivers dedupe by it. */
  messageId: string;
  body: string;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number; latencyMs: number }
  /** Worth trying again later (a timeout, a network error, any other status), after `retryAfterMs` if the receiver said. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; latencyMs: number; reason: string }
  /** 410 Gone: the receiver asks for no more. */
  | { kind: 'gone'; status: 410; latencyMs: number }
  /** Never worth retrying as it stands: the target is one webhooks may not reach. */
  | { kind: 'failed'; latencyMs: number; reason: string };

export interface DeliverOptions {
  guard: TargetGuard;
  /** The whole request, connect to last byte of the answer. */
  timeoutMs: number;
  userAgent: string;
}

/** Bytes of the receiver's answer read at most (the rest is dropped). */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Retry-After beyond this is taken as this. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** What a signed POST got back. */
export type PostResult =
  | { ok: true; status: number; retryAfter: string | undefined; answer: Buffer; latencyMs: number }
  | { ok: false; refused: boolean; reason: string; latencyMs: number };

/**
 * POSTs a JSON body signed as Standard Webhooks says, through the target guard, within the
 * timeout (connect to last byte), reading at most 64 KiB of the answer. Redirects are not
 * followed (a 3xx is just a status), so a redirect can never lead to an address the guard would
 * refuse.
 */
export function postSigned(request: WebhookRequest, options: DeliverOptions): Promise<PostResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = options.guard.checkUrl(request.url);
  } catch (error) {
    return Promise.resolve({ ok: false, refused: true, reason: (error as Error).message, latencyMs: 0 });
  }
  const timestamp = new Date();
  const signature = request.secrets
    .map((secret) => new Webhook(secret).sign(request.messageId, timestamp, request.body))
    .join(' ');
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<PostResult>((resolve) => {
    const req = send(url, {
      method: 'POST',
      lookup: options.guard.lookup,
      timeout: options.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(request.body),
        'user-agent': options.userAgent,
        'webhook-id': request.messageId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
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
          retryAfter: res.headers['retry-after'],
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
    req.end(request.body);
  });
}

/** Sends one webhook request and classifies the answer. */
export async function deliverWebhook(
  request: WebhookRequest,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  const result = await postSigned(request, options);
  if (!result.ok) {
    return result.refused
      ? { kind: 'failed', latencyMs: result.latencyMs, reason: result.reason }
      : { kind: 'retry', latencyMs: result.latencyMs, reason: result.reason };
  }
  return classify(result.status, result.retryAfter, result.latencyMs);
}

function classify(status: number, retryAfter: string | undefined, latencyMs: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status, latencyMs };
  if (status === 410) return { kind: 'gone', status, latencyMs };
  // Anything else is tried again on the schedule, as receivers expect of Standard Webhooks
  // senders: a 4xx is often a deploy or a config fix away from a 2xx.
  const after = retryAfterMs(retryAfter);
  return {
    kind: 'retry',
    status,
    latencyMs,
    reason: `answered ${status}`,
    ...(after !== undefined && { retryAfterMs: after }),
  };
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim())
    ? Number(header.trim()) * 1000
    : Date.parse(header) - Date.now();
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds, MAX_RETRY_AFTER_MS);
}
