// The push scenario's fake push services, as a child process of their own (forked by
// push-fake.mjs), so their TLS and parsing never share a core's event loop with the scenario's
// own measurements: one HTTPS server on 127.0.0.1, with a certificate the parent made with
// openssl, that serves
//  - FCM HTTP v1: `POST /token` (checks the service account's RS256 JWT grant: signature, issuer,
//    audience, scope; issues an access token) and `POST /v1/projects/<id>/messages:send` (takes
//    only issued access tokens; records the device token and `data.message_id`; answers 200 with
//    FCM's `{ name }`);
//  - Web Push: `POST /push/<n>` (checks a VAPID authorization and an aes128gcm body are there,
//    without decrypting: the encryption is the server's cost, not the fake's; answers 201).
// Per message (FCM: `data.message_id`; Web Push: the round the parent names, the payload being
// encrypted) it counts how often each device was reached, and the first and last arrival.
// Commands over IPC: `round` (name the Web Push round), `report` (a message's or round's figures),
// `totals`.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import http2 from 'node:http2';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const nowMs = () => performance.timeOrigin + performance.now();
const { keyPem, certPem, projectId, clientEmail, publicKeyPem, devices } = JSON.parse(
  process.env.BENCH_PUSH_FAKE_CONFIG,
);
const publicKey = createPublicKey(publicKeyPem);
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const SEND_PATH = `/v1/projects/${projectId}/messages:send`;

const issued = new Set();
const totals = {
  tlsHandshakes: 0,
  connections: 0,
  requests: 0,
  tokenRequests: 0,
  badGrants: 0,
  unauthorized: 0,
  fcm: 0,
  web: 0,
  malformed: 0,
  notFound: 0,
};
/** key (message id, or web round) → { counts: Uint16Array, n, unique, first, last, unknown } */
const tallies = new Map();
let webRound = null;
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();

function tally(key, index) {
  let t = tallies.get(key);
  if (!t) {
    t = { counts: new Uint16Array(devices), n: 0, unique: 0, first: 0, last: 0, unknown: 0, arrivals: [] };
    tallies.set(key, t);
  }
  const at = nowMs();
  t.n++;
  if (!t.first) t.first = at;
  t.last = at;
  t.arrivals.push(at);
  if (!(index >= 0 && index < devices)) {
    t.unknown++;
    return;
  }
  if (t.counts[index]++ === 0) t.unique++;
}

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Checks the JWT bearer grant as Google does (RS256 by the service account's key). */
function checkGrant(form, audience) {
  const params = new URLSearchParams(form);
  if (params.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'bad grant_type';
  const [head, payload, signature] = (params.get('assertion') ?? '').split('.');
  if (!head || !payload || !signature) return 'not a JWT';
  if (b64json(head).alg !== 'RS256') return 'not RS256';
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${payload}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return 'bad signature';
  const claims = b64json(payload);
  if (claims.iss !== clientEmail) return 'bad issuer';
  if (claims.aud !== audience) return 'bad audience';
  if (claims.scope !== SCOPE) return 'bad scope';
  if (!(claims.exp > Date.now() / 1000)) return 'expired';
  return null;
}

// HTTP/2 and HTTP/1.1, as Google's and the browsers' push services take both (the server's FCM
// sends use HTTP/2, Web Push HTTP/1.1).
const server = http2.createSecureServer({ key: keyPem, cert: certPem, allowHTTP1: true }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    totals.requests++;
    const body = Buffer.concat(chunks);
    const reply = (status, json) => {
      if (json === undefined) {
        res.writeHead(status, { 'content-length': '0' });
        res.end();
        return;
      }
      const text = JSON.stringify(json);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const url = req.url ?? '';
    if (url === '/token') {
      totals.tokenRequests++;
      const why = checkGrant(body.toString('utf8'), `https://127.0.0.1:${server.address().port}/token`);
      if (why) {
        totals.badGrants++;
        return reply(400, { error: 'invalid_grant', error_description: why });
      }
      const token = `ya29.${randomBytes(16).toString('base64url')}`;
      issued.add(token);
      return reply(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    if (url === SEND_PATH) {
      const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization))?.[1];
      if (!bearer || !issued.has(bearer)) {
        totals.unauthorized++;
        return reply(401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
      }
      let message;
      try {
        ({ message } = JSON.parse(body.toString('utf8')));
      } catch {}
      if (!message?.token || !message?.data?.message_id) {
        totals.malformed++;
        return reply(400, { error: { code: 400, status: 'INVALID_ARGUMENT' } });
      }
      totals.fcm++;
      const token = String(message.token);
      tally(message.data.message_id, Number(token.slice(token.lastIndexOf('-') + 1)));
      return reply(200, { name: `projects/${projectId}/messages/${totals.fcm}` });
    }
    if (url.startsWith('/push/')) {
      if (
        !/^vapid t=[^,]+, k=[A-Za-z0-9_-]+$/.test(String(req.headers.authorization)) ||
        req.headers['content-encoding'] !== 'aes128gcm' ||
        body.length < 86
      ) {
        totals.malformed++;
        return reply(400);
      }
      totals.web++;
      tally(webRound ?? 'web', Number(url.slice('/push/'.length)));
      return reply(201);
    }
    totals.notFound++;
    reply(404, { error: { code: 404 } });
  });
});
server.on('connection', () => totals.connections++);
server.on('secureConnection', () => totals.tlsHandshakes++);

function report(key) {
  const t = tallies.get(key);
  if (!t) return { n: 0, unique: 0, duplicates: 0, unknown: 0, first: null, last: null, arrivals: [] };
  let duplicates = 0;
  for (const c of t.counts) if (c > 1) duplicates += c - 1;
  return {
    n: t.n,
    unique: t.unique,
    duplicates,
    unknown: t.unknown,
    first: t.first,
    last: t.last,
    arrivals: t.arrivals,
  };
}

process.on('message', ({ id, cmd, key }) => {
  let result;
  if (cmd === 'round') {
    webRound = key;
    result = true;
  } else if (cmd === 'progress') {
    const t = tallies.get(key);
    result = t ? { n: t.n, unique: t.unique, last: t.last } : { n: 0, unique: 0, last: 0 };
  } else if (cmd === 'report') result = report(key);
  else if (cmd === 'totals') {
    result = { ...totals, eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6 };
    eld.reset();
  }
  process.send({ id, result });
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ ready: true, port: server.address().port });
});
