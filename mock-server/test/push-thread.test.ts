import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { Api } from './api';
import { FakeFcm } from './fcm-service';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, send } from './rest-helpers';

/**
 * The built server (`chat-server`, as `npm start` runs it) sends pushes from a thread of its own:
 * a message reaches an offline member's FCM token through it, and the log says where pushes run.
 * (The other push suites run the sources, where pushes go out on the main thread.)
 */
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fcm = new FakeFcm();
const dir = mkdtempSync(join(tmpdir(), 'push-thread-'));
let child: ChildProcessWithoutNullStreams | undefined;
let output = '';
let baseUrl = '';
// On the embedded database in a data directory, or on PostgreSQL in a schema of its own.
const database =
  testDatabase === 'postgres'
    ? { DATABASE_URL: testDatabaseUrl(), CHAT_DATABASE_SCHEMA: newTestSchema() }
    : { DATABASE_URL: '', CHAT_DATA_DIR: join(dir, 'data') };
const env = () => ({
  ...process.env,
  ...database,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'debug',
  REDIS_URL: '',
  CHAT_SEED_DEMO: '0',
  CHAT_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
  CHAT_SECRET_KEY: 'a-test-secret-key-of-at-least-32-characters',
  NODE_EXTRA_CA_CERTS: join(dir, 'fake-ca.pem'),
  NODE_ENV: 'development',
});

beforeAll(async () => {
  await fcm.start();
  writeFileSync(join(dir, 'fake-ca.pem'), fcm.ca);
  child = spawn(process.execPath, [cli], { env: env() });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${output}`)), 60_000);
    child!.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    });
    child!.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await fcm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the built server’s push send thread', () => {
  it('pushes an offline member’s FCM token from a thread of its own', async () => {
    expect(output).toContain('push sends run on a thread of their own');
    // An app made through the CLI, which asks the running server.
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'create-app', '--name', 'thread'], {
      env: env(),
    });
    const app = JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1)) as {
      api_key: string;
      api_secret: string;
    };
    const anonymous = new Api(baseUrl, app.api_key);
    const backend = anonymous.as(await createServerToken(app.api_secret));
    expect((await backend.post('/v1/users', { users: [{ id: 'alice' }, { id: 'bob' }] })).status).toBe(200);
    const alice = anonymous.as(await createUserToken(app.api_secret, 'alice'));
    const bob = anonymous.as(await createUserToken(app.api_secret, 'bob'));
    const set = await backend.put('/v1/push/fcm', {
      service_account: fcm.serviceAccount(),
      base_url: fcm.url,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await bob.post('/v1/devices', { provider: 'fcm', token: 'bob-phone' })).status).toBe(201);
    const cid = await createChannel(alice, 'threaded', ['bob']);
    const message = await send(alice, cid, 'from the other thread');
    await expect.poll(() => fcm.to('bob-phone').length, { timeout: 20_000 }).toBe(1);
    expect(fcm.to('bob-phone')[0]).toMatchObject({
      notification: { body: 'from the other thread' },
      data: { message_id: message.id, badge: '1' },
    });
    expect(fcm.versions.get('2.0')).toBeGreaterThanOrEqual(1);
  });
});
