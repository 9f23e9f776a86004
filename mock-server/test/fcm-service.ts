import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import { startTlsServer } from './push-service';

/**
 * A fake of Google's side of FCM HTTP v1, over TLS on loopback: the OAuth token endpoint, which
 * checks the service account's signed JWT (RS256, issuer, audience, scope) before handing out an
 * access token, and `messages:send`, which takes only those tokens and answers with FCM's real
 * error bodies for tokens the test marks (UNREGISTERED, unavailable with a Retry-After).
 */
export interface FcmMessage {
  token: string;
  notification: { title: string; body: string };
  data: Record<string, string>;
  android: { collapse_key: string; priority: string };
}

export class FakeFcm {
  readonly projectId = 'chat-test';
  readonly clientEmail = 'push@chat-test.iam.gserviceaccount.com';
  readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly messages: FcmMessage[] = [];
  tokenRequests = 0;
  /** Device tokens FCM says are gone, and answers queued per device token. */
  readonly unregistered = new Set<string>();
  readonly answers = new Map<string, { status: number; headers?: Record<string, string> }[]>();
  /** While true, a send's connection is cut unanswered (the request is not kept). */
  down = false;
  private readonly issued = new Set<string>();
  private tls?: Awaited<ReturnType<typeof startTlsServer>>;

  async start(): Promise<void> {
    this.tls = await startTlsServer((req, body, res) => {
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (req.url === '/token') {
        this.tokenRequests++;
        this.token(body.toString('utf8'))
          .then((token) => reply(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }))
          .catch((error: Error) => reply(400, { error: 'invalid_grant', error_description: error.message }));
        return;
      }
      if (req.url !== `/v1/projects/${this.projectId}/messages:send`)
        return reply(404, { error: { code: 404 } });
      // Down: the whole connection is cut, every request on it unanswered.
      if (this.down) return req.httpVersion === '2.0' ? req.stream.session?.destroy() : req.socket.destroy();
      const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization))?.[1];
      if (!bearer || !this.issued.has(bearer))
        return reply(401, {
          error: {
            code: 401,
            message: 'Request had invalid authentication credentials.',
            status: 'UNAUTHENTICATED',
          },
        });
      const { message } = JSON.parse(body.toString('utf8')) as { message: FcmMessage };
      this.messages.push(message);
      if (this.unregistered.has(message.token))
        return reply(404, {
          error: {
            code: 404,
            message: 'Requested entity was not found.',
            status: 'NOT_FOUND',
            details: [
              { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
            ],
          },
        });
      const queued = this.answers.get(message.token)?.shift();
      if (queued)
        return reply(
          queued.status,
          { error: { code: queued.status, status: 'UNAVAILABLE', message: 'try later' } },
          queued.headers,
        );
      reply(200, { name: `projects/${this.projectId}/messages/${randomBytes(8).toString('hex')}` });
    });
  }

  get url(): string {
    return this.tls!.url;
  }

  /** Requests per HTTP version ('2.0', '1.1'). */
  get versions(): Map<string, number> {
    return this.tls!.versions;
  }

  get ca(): string {
    return this.tls!.ca;
  }

  /** The service account's JSON key file, as Firebase's console gives it. */
  serviceAccount() {
    return {
      type: 'service_account',
      project_id: this.projectId,
      private_key_id: 'key-1',
      private_key: this.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: this.clientEmail,
      token_uri: `${this.url}/token`,
    };
  }

  to(token: string): FcmMessage[] {
    return this.messages.filter((m) => m.token === token);
  }

  /** Checks the JWT bearer grant as Google does, and issues an access token. */
  private async token(form: string): Promise<string> {
    const params = new URLSearchParams(form);
    if (params.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      throw new Error('bad grant_type');
    const { payload, protectedHeader } = await jwtVerify(params.get('assertion') ?? '', this.keys.publicKey, {
      issuer: this.clientEmail,
      audience: `${this.url}/token`,
      algorithms: ['RS256'],
    });
    if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('bad scope');
    if (protectedHeader.kid !== 'key-1') throw new Error('bad kid');
    const token = `ya29.${randomBytes(16).toString('base64url')}`;
    this.issued.add(token);
    return token;
  }

  async close(): Promise<void> {
    await this.tls?.close();
  }
}
