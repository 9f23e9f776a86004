import { createPrivateKey } from 'node:crypto';
import type { PushPayload } from '@chat/protocol';
import { SignJWT } from 'jose';
import { Http2Poster } from '../outbound/http2-post';
import { type OutboundOptions, postGuarded, retryAfterMs } from '../outbound/post';
import { apnsCollapseId, asStringData, PRIVATE_ALERT } from './push-content';
import type { PushDevice } from './recipients';
import type { PushOutcome } from './web-push-sender';

/** An application's FCM credentials, as `push_providers` keeps them (the key opened). */
export interface FcmCredentials {
  projectId: string;
  clientEmail: string;
  baseUrl: string;
  tokenUri: string;
  privateKey: string;
  privateKeyId: string | null;
  /** When they were set: a change makes a new access token. */
  version: string;
}

/** Google's access tokens last an hour; one is made again when less than this is left. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * Sends FCM HTTP v1 messages with OAuth access tokens made from a service account (a JWT signed
 * with its key, traded at its token URI), one per credentials kept until shortly before it
 * expires. Requests go through the outbound guard; sends share one HTTP/2 connection per origin
 * (the token request is a rare HTTP/1.1 POST).
 */
export class FcmSender {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  /** Token requests under way: pushes sent at once wait for one request, not one each. */
  private readonly asking = new Map<string, Promise<string>>();

  /** Sends go over HTTP/2, as Google's own Admin SDK sends them. */
  private readonly http2: Http2Poster;

  constructor(private readonly options: OutboundOptions) {
    this.http2 = new Http2Poster(options);
  }

  /** Closes the connections (the worker stops). */
  close(): void {
    this.http2.close();
  }

  async send(device: PushDevice, payload: PushPayload, credentials: FcmCredentials): Promise<PushOutcome> {
    let token: string;
    try {
      token = await this.accessToken(credentials);
    } catch (error) {
      return { kind: 'retry', reason: `no FCM access token: ${(error as Error).message}` };
    }
    const body = JSON.stringify({ message: fcmMessage(device.token, payload) });
    const url = `${credentials.baseUrl}/v1/projects/${encodeURIComponent(credentials.projectId)}/messages:send`;
    const result = await this.http2.post(
      url,
      { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    );
    if (!result.ok)
      return result.refused
        ? { kind: 'failed', reason: result.reason }
        : { kind: 'retry', reason: result.reason };
    const { status } = result;
    if (status >= 200 && status < 300) return { kind: 'sent', status };
    const error = fcmError(result.answer);
    // The token is no more (app uninstalled, token rotated), or of another Firebase project.
    if (status === 404 || error.code === 'UNREGISTERED' || error.code === 'SENDER_ID_MISMATCH')
      return { kind: 'gone', status };
    if (status === 400 && /registration token/i.test(error.message)) return { kind: 'gone', status };
    if (status === 401) {
      // The access token was refused (revoked, the key rotated): a new one next time.
      this.tokens.delete(cacheKey(credentials));
      return { kind: 'retry', status, reason: 'FCM refused the access token' };
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterMs(result.headers['retry-after']);
      return {
        kind: 'retry',
        status,
        reason: `FCM answered ${status} ${error.code}`.trim(),
        ...(after !== undefined && { retryAfterMs: after }),
      };
    }
    return {
      kind: 'failed',
      status,
      reason: `FCM answered ${status} ${error.code}: ${error.message}`.slice(0, 300),
    };
  }

  private accessToken(credentials: FcmCredentials): Promise<string> {
    const key = cacheKey(credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - Date.now() > REFRESH_BEFORE_MS) return Promise.resolve(cached.token);
    let asking = this.asking.get(key);
    if (!asking) {
      asking = this.askForToken(credentials, key).finally(() => this.asking.delete(key));
      this.asking.set(key, asking);
    }
    return asking;
  }

  private async askForToken(credentials: FcmCredentials, key: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(credentials.privateKeyId && { kid: credentials.privateKeyId }),
      })
      .setIssuer(credentials.clientEmail)
      .setAudience(credentials.tokenUri)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(createPrivateKey(credentials.privateKey));
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    }).toString();
    const result = await postGuarded(
      credentials.tokenUri,
      { 'content-type': 'application/x-www-form-urlencoded' },
      form,
      this.options,
    );
    if (!result.ok) throw new Error(result.reason);
    if (result.status !== 200) throw new Error(`the token endpoint answered ${result.status}`);
    const answer = JSON.parse(result.answer.toString('utf8')) as {
      access_token?: unknown;
      expires_in?: unknown;
    };
    if (typeof answer.access_token !== 'string') throw new Error('the token endpoint gave no access_token');
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
    // One entry per application's credentials; a cap in case of many apps rotating keys.
    if (this.tokens.size >= 1_000) this.tokens.clear();
    this.tokens.set(key, { token: answer.access_token, expiresAt: Date.now() + lifetime * 1000 });
    return answer.access_token;
  }
}

function cacheKey(credentials: FcmCredentials): string {
  return `${credentials.clientEmail}\n${credentials.tokenUri}\n${credentials.version}`;
}

/** FCM's error body: `{ error: { status, message, details: [{ errorCode }] } }`. */
function fcmError(answer: Buffer): { code: string; message: string } {
  try {
    const { error } = JSON.parse(answer.toString('utf8')) as {
      error?: { status?: string; message?: string; details?: { errorCode?: string }[] };
    };
    const detail = error?.details?.find((d) => d.errorCode)?.errorCode;
    return { code: detail ?? error?.status ?? '', message: error?.message ?? '' };
  } catch {
    return { code: '', message: '' };
  }
}

/**
 * The FCM v1 message of a push. A new message: a notification (none in privacy mode: the app's
 * code shows its own), the badge as Android's notification count and iOS's badge, collapsing per
 * channel. A read elsewhere: data only, and a silent background push on iOS, for the app to clear
 * the channel's notifications and set the badge.
 */
export function fcmMessage(token: string, payload: PushPayload) {
  const data = asStringData(payload);
  const collapse = { 'apns-collapse-id': apnsCollapseId(payload.tag) };
  if (payload.type === 'message.read')
    return {
      token,
      data,
      android: { collapse_key: payload.tag, priority: 'HIGH' },
      apns: {
        headers: { ...collapse, 'apns-push-type': 'background', 'apns-priority': '5' },
        payload: { aps: { 'content-available': 1, badge: payload.badge } },
      },
    };
  const shown = payload.title !== undefined;
  return {
    token,
    ...(shown && { notification: { title: payload.title, body: payload.body } }),
    data,
    android: {
      collapse_key: payload.tag,
      priority: 'HIGH',
      ...(shown && { notification: { tag: payload.tag, notification_count: payload.badge } }),
    },
    apns: {
      headers: collapse,
      payload: {
        aps: {
          badge: payload.badge,
          'thread-id': payload.tag,
          ...(!shown && { alert: PRIVATE_ALERT, 'mutable-content': 1 }),
        },
      },
    },
  };
}
