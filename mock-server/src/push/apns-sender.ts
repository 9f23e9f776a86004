import { createPrivateKey } from 'node:crypto';
import http2 from 'node:http2';
import type { PushPayload } from '@chat/protocol';
import { SignJWT } from 'jose';
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
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly tokens = new Map<string, { token: string; madeAt: number }>();

  constructor(private readonly options: OutboundOptions) {}

  async send(device: PushDevice, payload: PushPayload, credentials: ApnsCredentials): Promise<PushOutcome> {
    const base = device.apns_environment === 'sandbox' ? credentials.sandboxUrl : credentials.productionUrl;
    let session: http2.ClientHttp2Session;
    try {
      session = this.session(base);
    } catch (error) {
      return { kind: 'failed', reason: (error as Error).message };
    }
    const token = await this.providerToken(credentials);
    const silent = payload.type === 'message.read';
    const answer = await this.request(
      session,
      `/3/device/${device.token}`,
      JSON.stringify(apnsBody(payload)),
      {
        authorization: `bearer ${token}`,
        'apns-topic': credentials.bundleId,
        'apns-push-type': silent ? 'background' : 'alert',
        // Apple wants background pushes at 5 (10 is refused for them).
        'apns-priority': silent ? '5' : '10',
        'apns-expiration': String(Math.floor(Date.now() / 1000) + EXPIRATION_SECONDS),
        'apns-collapse-id': apnsCollapseId(payload.tag),
      },
    );
    if ('error' in answer) {
      this.drop(base);
      return { kind: 'retry', reason: answer.error };
    }
    const { status, reason } = answer;
    if (status === 200) return { kind: 'sent', status };
    if (status === 410 || GONE_REASONS.has(reason)) return { kind: 'gone', status };
    if (status === 403 && (reason === 'ExpiredProviderToken' || reason === 'InvalidProviderToken')) {
      this.tokens.delete(tokenKey(credentials));
      return { kind: 'retry', status, reason: `APNs refused the provider token (${reason})` };
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterMs(answer.retryAfter);
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
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }

  private session(base: string): http2.ClientHttp2Session {
    const open = this.sessions.get(base);
    if (open && !open.closed && !open.destroyed) return open;
    const url = this.options.guard.checkUrl(base);
    const session = http2.connect(url, {
      lookup: this.options.guard.lookup,
      ...(this.options.ca && { ca: this.options.ca }),
    });
    // A broken or refused connection is dropped; the next push opens another.
    session.on('error', () => this.drop(base));
    session.on('goaway', () => this.drop(base));
    session.on('close', () => {
      if (this.sessions.get(base) === session) this.sessions.delete(base);
    });
    // Idle connections do not keep the worker's process alive.
    session.unref();
    this.sessions.set(base, session);
    return session;
  }

  private drop(base: string): void {
    const session = this.sessions.get(base);
    this.sessions.delete(base);
    session?.destroy();
  }

  private request(
    session: http2.ClientHttp2Session,
    path: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; reason: string; retryAfter?: string } | { error: string }> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (value: { status: number; reason: string; retryAfter?: string } | { error: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/json',
          ...headers,
        });
      } catch (error) {
        return done({ error: (error as Error).message });
      }
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        done({ error: `no answer within ${this.options.timeoutMs} ms` });
      }, this.options.timeoutMs);
      let status = 0;
      let retryAfter: string | undefined;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        const after = h['retry-after'];
        retryAfter = Array.isArray(after) ? after[0] : after;
      });
      stream.on('data', (chunk: Buffer) => {
        if (chunks.length < 16) chunks.push(chunk);
      });
      stream.on('end', () => {
        let reason = '';
        try {
          reason = String(
            (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: unknown }).reason ?? '',
          );
        } catch {
          reason = '';
        }
        done({ status, reason, ...(retryAfter !== undefined && { retryAfter }) });
      });
      stream.on('error', (error) => done({ error: error.message }));
      stream.end(body);
    });
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
