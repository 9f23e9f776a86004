import { createHash } from 'node:crypto';
import type { PushPayload } from '@chat/protocol';
import webPush from 'web-push';
import { type OutboundOptions, postGuarded, retryAfterMs } from '../outbound/post';
import type { PushDevice } from './recipients';

export interface WebPushKeys {
  subject: string;
  publicKey: string;
  privateKey: string;
}

/** What became of one push. */
export type PushOutcome =
  | { kind: 'sent'; status: number }
  /** Worth trying again (429, 5xx, no answer), no sooner than `retryAfterMs` when said. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  /** The subscription is gone (404, 410): the device is to be removed. */
  | { kind: 'gone'; status: number }
  /** Refused for good (another 4xx, a target the guard refuses). */
  | { kind: 'failed'; status?: number; reason: string };

/** Seconds a push service keeps a push for a device that is away: a day. */
const TTL_SECONDS = 24 * 3600;

/**
 * Sends one Web Push (RFC 8030), its payload encrypted for the subscription (RFC 8291,
 * aes128gcm) and the request signed with the app's VAPID key (RFC 8292), by web-push; the
 * request itself goes through the outbound guard.
 */
export async function sendWebPush(
  device: PushDevice,
  payload: PushPayload,
  keys: WebPushKeys,
  options: OutboundOptions,
): Promise<PushOutcome> {
  if (!device.web_p256dh || !device.web_auth) return { kind: 'failed', reason: 'no subscription keys' };
  const request = webPush.generateRequestDetails(
    { endpoint: device.token, keys: { p256dh: device.web_p256dh, auth: device.web_auth } },
    JSON.stringify(payload),
    {
      vapidDetails: keys,
      TTL: TTL_SECONDS,
      contentEncoding: 'aes128gcm',
      urgency: payload.type === 'message.read' ? 'normal' : 'high',
      // At most 32 URL-safe characters; the same for a channel's messages and its read, so a push
      // service holding pushes for a device that is away keeps only the newest.
      topic: createHash('sha256').update(payload.tag).digest('base64url').slice(0, 32),
    },
  );
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
  );
  const result = await postGuarded(request.endpoint, headers, request.body ?? Buffer.alloc(0), options);
  if (!result.ok)
    return result.refused
      ? { kind: 'failed', reason: result.reason }
      : { kind: 'retry', reason: result.reason };
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'sent', status };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) {
    const after = retryAfterMs(result.headers['retry-after']);
    return {
      kind: 'retry',
      status,
      reason: `answered ${status}`,
      ...(after !== undefined && { retryAfterMs: after }),
    };
  }
  return { kind: 'failed', status, reason: `answered ${status}` };
}
