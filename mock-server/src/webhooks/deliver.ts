import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { type TargetGuard, TargetRefused } from './target-guard';

/** One webhook request: the event as JSON, signed as Standard Webhooks says. */
export interface WebhookRequest {
  url: string;
  /** `whsec_…` */
  secret: string;
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

/** Bytes of the receiver's answer read at most (the rest is dropped, the answer not kept). */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Retry-After beyond this is taken as this. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * Sends one webhook request and classifies the answer. Redirects are not followed (a 3xx is a
 * failure to retry: the receiver must give its final URL), so a redirect can never lead to an
 * address the guard would refuse.
 */
export async function deliverWebhook(
  request: WebhookRequest,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = options.guard.checkUrl(request.url);
  } catch (error) {
    return { kind: 'failed', latencyMs: 0, reason: (error as Error).message };
  }
  const timestamp = new Date();
  const signature = new Webhook(request.secret).sign(request.messageId, timestamp, request.body);
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<DeliveryOutcome>((resolve) => {
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
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      const finish = () => {
        clearTimeout(deadline);
        resolve(classify(res.statusCode ?? 0, res.headers['retry-after'], latency()));
      };
      res.once('end', finish);
      res.once('close', finish);
      res.once('error', finish);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      const refused = error instanceof TargetRefused || error.code === 'ETARGETREFUSED';
      resolve(
        refused
          ? { kind: 'failed', latencyMs: latency(), reason: error.message }
          : { kind: 'retry', latencyMs: latency(), reason: error.message },
      );
    });
    req.end(request.body);
  });
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
