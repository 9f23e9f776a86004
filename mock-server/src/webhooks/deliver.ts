import { Webhook } from 'standardwebhooks';
import { type OutboundOptions, type PostResult, postGuarded, retryAfterMs } from '../outbound/post';

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

export interface DeliverOptions extends OutboundOptions {
  userAgent: string;
}

/** A JSON body POSTed signed as Standard Webhooks says (see outbound/post.ts for the rest). */
export function postSigned(request: WebhookRequest, options: DeliverOptions): Promise<PostResult> {
  const timestamp = new Date();
  const signature = request.secrets
    .map((secret) => new Webhook(secret).sign(request.messageId, timestamp, request.body))
    .join(' ');
  return postGuarded(
    request.url,
    {
      'content-type': 'application/json',
      'user-agent': options.userAgent,
      'webhook-id': request.messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
    request.body,
    options,
  );
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
  return classify(result.status, result.headers['retry-after'], result.latencyMs);
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
