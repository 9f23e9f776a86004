import { execFileSync } from 'node:child_process';
import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// http_ece is what web-push encrypts with; here it decrypts, as a browser would.
import ece from 'http_ece';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

/**
 * A Web Push service on loopback, over TLS with a certificate made for the test (openssl), that
 * behaves as the real ones do for a sender: it takes `POST /push/<name>`, answers 201 (or what
 * the test queues), and keeps each request. A browser side per subscription holds the P-256 key
 * pair and auth secret, so the test decrypts what arrived (RFC 8291) and checks the VAPID
 * signature (RFC 8292): proof of the encryption and the signing, not just of a call.
 */
export interface PushRequest {
  name: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface BrowserSubscription {
  name: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
  auth: Buffer;
}

/** A certificate for 127.0.0.1 made with openssl for the test, and a cleanup. */
export function selfSignedCertificate(): { key: Buffer; cert: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tls-server-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    remove();
    throw new Error(`A fake push service needs openssl for its certificate: ${(error as Error).message}`);
  }
  return { key: readFileSync(key), cert: readFileSync(cert, 'utf8'), remove };
}

/**
 * An HTTPS server on loopback with a certificate made for it: the fake push services speak TLS
 * as the real ones do, HTTP/2 and HTTP/1.1 alike (Google's and the browsers' push services take
 * both). `ca` is the certificate to trust; `versions` counts the requests per HTTP version.
 */
export async function startTlsServer(
  handler: (req: http2.Http2ServerRequest, body: Buffer, res: http2.Http2ServerResponse) => void,
): Promise<{
  url: string;
  ca: string;
  versions: Map<string, number>;
  connections(): number;
  close(): Promise<void>;
}> {
  const tls = selfSignedCertificate();
  const versions = new Map<string, number>();
  const server = http2.createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true }, (req, res) => {
    versions.set(req.httpVersion, (versions.get(req.httpVersion) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('secureConnection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: tls.cert,
    versions,
    connections: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tls.remove();
    },
  };
}

export class FakePushService {
  readonly requests: PushRequest[] = [];
  /** Answers queued per subscription name, used before the default 201. */
  readonly answers = new Map<string, { status: number; headers?: Record<string, string> }[]>();
  /** While true, every request is cut off unanswered (and not kept). */
  down = false;
  private tls?: Awaited<ReturnType<typeof startTlsServer>>;

  async start(): Promise<void> {
    this.tls = await startTlsServer((req, body, res) => {
      // Down: the connection is cut with no answer, as when the service is unreachable.
      if (this.down) return req.socket.destroy();
      const name = (req.url ?? '').replace(/^\/push\//, '');
      this.requests.push({ name, headers: req.headers, body });
      const answer = this.answers.get(name)?.shift() ?? { status: 201 };
      res.writeHead(answer.status, answer.headers);
      res.end();
    });
  }

  get url(): string {
    return this.tls!.url;
  }

  get ca(): string {
    return this.tls!.ca;
  }

  /** A browser's subscription to this service: what `PushSubscription.toJSON()` gives. */
  subscribe(name: string): BrowserSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    return {
      name,
      endpoint: `${this.url}/push/${name}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      ecdh,
      auth,
    };
  }

  to(name: string): PushRequest[] {
    return this.requests.filter((r) => r.name === name);
  }

  /** Decrypts a push as the subscribed browser would. */
  static decrypt(request: PushRequest, subscription: BrowserSubscription): unknown {
    const plain = ece.decrypt(request.body, {
      version: 'aes128gcm',
      privateKey: subscription.ecdh,
      authSecret: subscription.auth,
    });
    return JSON.parse(plain.toString('utf8'));
  }

  /**
   * Checks the VAPID signature: `Authorization: vapid t=<JWT>, k=<public key>`, the JWT signed
   * (ES256) by that key, for this service's origin, by `subject`. Answers the key.
   */
  static async verifyVapid(request: PushRequest, origin: string, subject: string): Promise<string> {
    const match = /^vapid t=([^,]+), k=([A-Za-z0-9_-]+)$/.exec(String(request.headers.authorization));
    if (!match) throw new Error(`no VAPID authorization: ${request.headers.authorization}`);
    const [, token, key] = match as unknown as [string, string, string];
    const raw = Buffer.from(key, 'base64url');
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    };
    if (decodeProtectedHeader(token).alg !== 'ES256') throw new Error('VAPID JWT not ES256');
    const { payload } = await jwtVerify(token, await importJWK(jwk, 'ES256'), { audience: origin });
    if (payload.sub !== subject) throw new Error(`VAPID subject ${payload.sub}, not ${subject}`);
    return key;
  }

  async close(): Promise<void> {
    await this.tls?.close();
  }
}
