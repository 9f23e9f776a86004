import { createPrivateKey } from 'node:crypto';
import type { PushPayload } from '@chat/protocol';
import { SignJWT } from 'jose';
import { Http2Poster } from '../outbound/http2-post';
import { type OutboundOptions, retryAfterMs } from '../outbound/post';
import { apnsCollapseId, PRIVATE_ALERT } from './push-content';
import type { PushDevice } from './recipients';
import type { PushOutcome } from './web-push-sender';

/** An application's APNs credentials, as `push_providers` keeps them (the key opened). */
export interface ApnsCredentials {
  keyId: string;
  teamId: string;
  bundleId: string;
  productionUrl: string;
  sandboxUrl: string;
  key: string;
  /** When they were set: a change makes a new provider token. */
  version: string;
}

/**
 * Apple wants a provider token no older than an hour and refuses one renewed more often than
 * every 20 minutes (429 TooManyProviderTokenUpdates): one is kept 50 minutes.
 */
const PROVIDER_TOKEN_MS = 50 * 60_000;
/** Seconds APNs keeps a push for a device that is away: a day. */
const EXPIRATION_SECONDS = 24 * 3600;
/** Answers that mean the token is of no use any more. */
const GONE_REASONS = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic', 'ExpiredToken']);

/**
 * Sends APNs pushes over HTTP/2 with token-based authentication: one connection per APNs server,
 * reused by every push (Apple asks senders to keep connections open), and one provider token
 * (an ES256 JWT) per key, renewed within Apple's window. The host is checked by the outbound
 * guard, and the connection resolves names through it.
 */
export class ApnsSender {
  private readonly tokens = new Map<string, { token: string; madeAt: number }>();
  private readonly http2: Http2Poster;

  constructor(options: OutboundOptions) {
    this.http2 = new Http2Poster(options);
  }

  async send(device: PushDevice, payload: PushPayload, credentials: ApnsCredentials): Promise<PushOutcome> {
    const base = device.apns_environment === 'sandbox' ? credentials.sandboxUrl : credentials.productionUrl;
    const token = await this.providerToken(credentials);
    const silent = payload.type === 'message.read';
    const result = await this.http2.post(
      `${base}/3/device/${device.token}`,
      {
        'content-type': 'application/json',
        authorization: `bearer ${token}`,
        'apns-topic': credentials.bundleId,
        'apns-push-type': silent ? 'background' : 'alert',
        // Apple wants background pushes at 5 (10 is refused for them).
        'apns-priority': silent ? '5' : '10',
        'apns-expiration': String(Math.floor(Date.now() / 1000) + EXPIRATION_SECONDS),
        'apns-collapse-id': apnsCollapseId(payload.tag),
      },
      JSON.stringify(apnsBody(payload)),
    );
    if (!result.ok)
      return result.refused
        ? { kind: 'failed', reason: result.reason }
        : { kind: 'retry', reason: result.reason };
    const { status } = result;
    const reason = apnsReason(result.answer);
    if (status === 200) return { kind: 'sent', status };
    if (status === 410 || GONE_REASONS.has(reason)) return { kind: 'gone', status };
    if (status === 403 && (reason === 'ExpiredProviderToken' || reason === 'InvalidProviderToken')) {
      this.tokens.delete(tokenKey(credentials));
      return { kind: 'retry', status, reason: `APNs refused the provider token (${reason})` };
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterMs(result.headers['retry-after']);
      return {
        kind: 'retry',
        status,
        reason: `APNs answered ${status} ${reason}`.trim(),
        ...(after !== undefined && { retryAfterMs: after }),
      };
    }
    return { kind: 'failed', status, reason: `APNs answered ${status} ${reason}`.trim() };
  }

  /** Closes the connections (the worker stops). */
  close(): void {
    this.http2.close();
  }

  private async providerToken(credentials: ApnsCredentials): Promise<string> {
    const key = tokenKey(credentials);
    const kept = this.tokens.get(key);
    if (kept && Date.now() - kept.madeAt < PROVIDER_TOKEN_MS) return kept.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: credentials.keyId })
      .setIssuer(credentials.teamId)
      .setIssuedAt()
      .sign(createPrivateKey(credentials.key));
    if (this.tokens.size >= 1_000) this.tokens.clear();
    this.tokens.set(key, { token, madeAt: Date.now() });
    return token;
  }
}

/** APNs's error body: `{ "reason": "BadDeviceToken" }`. */
function apnsReason(answer: Buffer): string {
  try {
    return String((JSON.parse(answer.toString('utf8')) as { reason?: unknown }).reason ?? '');
  } catch {
    return '';
  }
}

function tokenKey(credentials: ApnsCredentials): string {
  return `${credentials.teamId}\n${credentials.keyId}\n${credentials.version}`;
}

/**
 * The APNs payload of a push: a new message is an alert with the badge (in privacy mode a
 * placeholder alert the app's notification service extension replaces, `mutable-content`); a read
 * elsewhere is a silent background push (`content-available`) with the new badge. The payload's
 * ids ride beside `aps` for the app's code.
 */
export function apnsBody(payload: PushPayload) {
  const { title, body, ...data } = payload as PushPayload & { title?: string; body?: string };
  if (payload.type === 'message.read')
    return { aps: { 'content-available': 1, badge: payload.badge }, ...data };
  const aps =
    title !== undefined
      ? { alert: { title, body }, badge: payload.badge, sound: 'default', 'thread-id': payload.tag }
      : { alert: PRIVATE_ALERT, 'mutable-content': 1, badge: payload.badge, 'thread-id': payload.tag };
  return { aps, ...data };
}
