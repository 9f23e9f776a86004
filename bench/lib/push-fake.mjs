// The fake push services of the push scenario (FCM HTTP v1 and Web Push over TLS on loopback),
// run in a child process of their own (push-provider.mjs), and what the scenario needs around
// them: a certificate for 127.0.0.1 made at run time with openssl (the server under test trusts
// it through NODE_EXTRA_CA_CERTS, since its push config takes extra CAs only in code), a Firebase
// service account whose key the fake checks the token grant with, and Web Push subscriptions.
import { execFileSync, fork } from 'node:child_process';
import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procStat } from './proc.mjs';

const CHILD = fileURLToPath(new URL('./push-provider.mjs', import.meta.url));

/** A self-signed certificate for 127.0.0.1 (P-256, a day), made with openssl in a temp folder. */
export function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-push-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
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
        keyFile,
        '-out',
        certFile,
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
    throw new Error(`the fake push services need openssl for their certificate: ${error.message}`);
  }
  return { keyPem: readFileSync(keyFile, 'utf8'), certPem: readFileSync(certFile, 'utf8'), certFile, remove };
}

/**
 * Starts the fake services for `devices` devices (numbered 0..devices-1: FCM tokens
 * `bench-fcm-<i>`, Web Push endpoints `/push/<i>`). Returns `{ url, pid, caFile,
 * serviceAccount(), fcmToken(i), webSubscription(i), round(key), progress(key), report(key),
 * totals(), stat(), close() }`.
 */
export async function startPushFake({ devices }) {
  const tls = selfSignedCertificate();
  const projectId = 'chat-bench';
  const clientEmail = 'push@chat-bench.iam.gserviceaccount.com';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const config = {
    keyPem: tls.keyPem,
    certPem: tls.certPem,
    projectId,
    clientEmail,
    publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }),
    devices,
  };
  const child = fork(CHILD, [], {
    env: { ...process.env, BENCH_PUSH_FAKE_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  const pending = new Map();
  let nextId = 0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    exited.then((code) => reject(new Error(`the fake push services exited (${code}) before they listened`)));
  });
  child.on('message', (m) => {
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  exited.then(() => {
    for (const resolve of pending.values()) resolve(null);
    pending.clear();
  });
  const call = (cmd, key) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      child.send({ id, cmd, key });
    });
  const url = `https://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid,
    caFile: tls.certFile,
    /** The Firebase project's JSON key file, its token URI on the fake. */
    serviceAccount() {
      return {
        type: 'service_account',
        project_id: projectId,
        private_key_id: 'bench-key-1',
        private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: clientEmail,
        token_uri: `${url}/token`,
      };
    },
    fcmToken: (i) => `bench-fcm-${i}`,
    /** A browser's subscription on the fake (`PushSubscription.toJSON()`), with its own keys. */
    webSubscription(i) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      return {
        endpoint: `${url}/push/${i}`,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        },
      };
    },
    /** Web Push payloads are encrypted: the fake counts them under the round named last. */
    round: (key) => call('round', key),
    /** `{ n, unique, last }` so far for a message id (FCM) or a round (Web Push). */
    progress: (key) => call('progress', key),
    /** `{ n, unique, duplicates, unknown, first, last, arrivals }` */
    report: (key) => call('report', key),
    /** Requests, TLS handshakes, refusals, and the fake's event-loop delay since the last call. */
    totals: () => call('totals'),
    stat: () => procStat(child.pid),
    async close() {
      child.kill();
      await exited;
      tls.remove();
    },
  };
}
