import { generateKeyPairSync } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { selfSignedCertificate } from './push-service';

/**
 * A fake APNs on node:http2 over TLS, as Apple's behaves for a sender: `POST /3/device/<token>`
 * with a provider token (an ES256 JWT from the team's key, checked here), `apns-topic` the bundle
 * id and `apns-push-type` (alert, or background at priority 5 with `content-available` only); it answers 200, or `{ reason }` bodies as Apple does (410
 * Unregistered, 400 BadDeviceToken, 429 TooManyRequests) for tokens the test marks. It counts
 * the HTTP/2 connections, so the test sees that one is reused.
 */
export interface ApnsPush {
  token: string;
  headers: http2.IncomingHttpHeaders;
  payload: { aps: { alert: { title: string; body: string }; 'thread-id': string }; [key: string]: unknown };
}

export class FakeApns {
  readonly teamId = 'TEAM123456';
  readonly keyId = 'KEY1234567';
  readonly bundleId = 'com.example.chat';
  readonly keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  readonly pushes: ApnsPush[] = [];
  readonly refused: string[] = [];
  readonly answers = new Map<string, { status: number; reason: string }[]>();
  connections = 0;
  private server?: http2.Http2SecureServer;
  private tls?: ReturnType<typeof selfSignedCertificate>;

  async start(): Promise<void> {
    this.tls = selfSignedCertificate();
    this.server = http2.createSecureServer({ key: this.tls.key, cert: this.tls.cert });
    this.server.on('session', () => this.connections++);
    this.server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const reply = (status: number, reason?: string) => {
          stream.respond({
            ':status': status,
            'apns-id': 'fake',
            ...(reason && { 'content-type': 'application/json' }),
          });
          stream.end(reason ? JSON.stringify({ reason }) : undefined);
        };
        const token = /^\/3\/device\/([0-9a-f]+)$/.exec(String(headers[':path']))?.[1];
        if (headers[':method'] !== 'POST' || !token) return reply(405, 'MethodNotAllowed');
        this.check(headers)
          .then(() => {
            const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            checkPayload(headers, payload);
            this.pushes.push({ token, headers, payload });
            const answer = this.answers.get(token)?.shift();
            if (answer) return reply(answer.status, answer.reason);
            reply(200);
          })
          .catch((error: Error) => {
            this.refused.push(error.message);
            reply(403, error.message);
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  get ca(): string {
    return this.tls!.cert;
  }

  /** The .p8 key Apple's developer account hands out. */
  get p8(): string {
    return this.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  to(token: string): ApnsPush[] {
    return this.pushes.filter((p) => p.token === token);
  }

  private async check(headers: http2.IncomingHttpHeaders): Promise<void> {
    const bearer = /^bearer (.+)$/.exec(String(headers.authorization))?.[1];
    if (!bearer) throw new Error('MissingProviderToken');
    const { payload, protectedHeader } = await jwtVerify(bearer, this.keys.publicKey, {
      issuer: this.teamId,
      algorithms: ['ES256'],
    }).catch(() => {
      throw new Error('InvalidProviderToken');
    });
    if (protectedHeader.kid !== this.keyId || typeof payload.iat !== 'number')
      throw new Error('InvalidProviderToken');
    if (headers['apns-topic'] !== this.bundleId) throw new Error('TopicDisallowed');
    const type = headers['apns-push-type'];
    if (type !== 'alert' && type !== 'background') throw new Error('InvalidPushType');
    // Apple: background pushes must go at priority 5.
    if (type === 'background' && headers['apns-priority'] !== '5') throw new Error('BadPriority');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.tls?.remove();
  }
}

/** What Apple wants of a payload: an alert push shows something; a background one only wakes the app. */
function checkPayload(headers: http2.IncomingHttpHeaders, payload: { aps?: Record<string, unknown> }): void {
  const aps = payload.aps;
  if (!aps) throw new Error('PayloadEmpty');
  if (headers['apns-push-type'] === 'background') {
    if (aps['content-available'] !== 1 || 'alert' in aps || 'sound' in aps) throw new Error('BadPayload');
  } else if (!aps.alert) throw new Error('BadPayload');
}
