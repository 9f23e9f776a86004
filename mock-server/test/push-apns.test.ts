import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { FakeApns } from './apns-service';
import { newTestSchema, TEST_SECRET_KEY, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, send } from './rest-helpers';

/**
 * APNs end to end, against a fake on HTTP/2 over TLS that checks the provider token (ES256, the
 * team's key), the topic and the push type: offline members' iPhones get an alert with the
 * app's data, on one reused connection; a sandbox build's token goes to the sandbox server; 410
 * Unregistered and BadDeviceToken remove the device; TooManyRequests is tried again, once per
 * device. A store of this file's own, so no other worker takes its jobs.
 */

let store: Store;
let server: ChatServer;
const production = new FakeApns();
const sandbox = new FakeApns();

beforeAll(async () => {
  await production.start();
  await sandbox.start();
  store =
    testDatabase === 'postgres'
      ? await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 4 })
      : await openStore({ dataDir: 'memory' });
  server = await createChatServer({
    store,
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    secretKey: TEST_SECRET_KEY,
    webhooks: { allowCidrs: ['127.0.0.1/32'] },
    push: { ca: `${production.ca}\n${sandbox.ca}`, timeoutMs: 5_000 },
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await production.close();
  await sandbox.close();
});

const token = (n: number) => n.toString(16).padStart(64, '0');
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

async function apnsApp(...names: string[]) {
  const t = await testAppOn(server);
  const users = await t.users(...names);
  // Both fakes hold keys of their own: each app talks to one with that one's key (a team's key
  // works on both of Apple's servers; here the sandbox fake has another, so it gets its own app).
  const set = await t.server.put('/v1/push/apns', {
    key: production.p8,
    key_id: production.keyId,
    team_id: production.teamId,
    bundle_id: production.bundleId,
    production_url: production.url,
    sandbox_url: production.url,
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  expect(JSON.stringify(set.body)).not.toContain('PRIVATE KEY');
  return { t, users };
}

describe('APNs', () => {
  it('pushes an alert to offline members on one connection, and removes dead tokens', async () => {
    const { users } = await apnsApp('alice', 'bob', 'carol', 'dave');
    const [alice, bob, carol, dave] = users;
    await bob!.post('/v1/devices', { provider: 'apns', token: token(1) });
    await carol!.post('/v1/devices', { provider: 'apns', token: token(2) });
    await dave!.post('/v1/devices', { provider: 'apns', token: token(3) });
    production.answers.set(token(2), [{ status: 410, reason: 'Unregistered' }]);
    production.answers.set(token(3), [{ status: 400, reason: 'BadDeviceToken' }]);
    const connections = production.connections;
    const cid = await createChannel(alice!, 'apns-room', ['bob', 'carol', 'dave']);
    const first = await send(alice!, cid, 'Build is green ✅');
    await expect.poll(() => production.to(token(1)).length, { timeout: 15_000 }).toBe(1);
    const [push] = production.to(token(1));
    expect(push!.payload).toMatchObject({
      aps: { alert: { title: 'ALICE', body: 'Build is green ✅' }, 'thread-id': cid, badge: 1 },
      type: 'message.new',
      cid,
      message_id: first.id,
    });
    expect(push!.headers).toMatchObject({
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-collapse-id': cid,
    });
    await expect
      .poll(async () => (await carol!.get('/v1/devices')).body.devices, { timeout: 10_000 })
      .toEqual([]);
    await expect
      .poll(async () => (await dave!.get('/v1/devices')).body.devices, { timeout: 10_000 })
      .toEqual([]);
    await send(alice!, cid, 'again');
    await expect.poll(() => production.to(token(1)).length, { timeout: 15_000 }).toBe(2);
    await settle();
    expect(production.refused).toEqual([]);
    // All of it on one HTTP/2 connection.
    expect(production.connections - connections).toBe(1);
  });

  it('sends a sandbox build’s token to the sandbox server', async () => {
    const t = await testAppOn(server);
    const [alice, bob] = await t.users('alice', 'bob');
    await t.server.put('/v1/push/apns', {
      key: sandbox.p8,
      key_id: sandbox.keyId,
      team_id: sandbox.teamId,
      bundle_id: sandbox.bundleId,
      production_url: production.url,
      sandbox_url: sandbox.url,
    });
    await bob!.post('/v1/devices', { provider: 'apns', token: token(10), environment: 'sandbox' });
    const cid = await createChannel(alice!, 'apns-dev', ['bob']);
    await send(alice!, cid, 'from a dev build');
    await expect.poll(() => sandbox.to(token(10)).length, { timeout: 15_000 }).toBe(1);
    expect(production.to(token(10))).toEqual([]);
  });

  it('in privacy mode sends a placeholder alert, and a read elsewhere a silent background clear', async () => {
    const { t, users } = await apnsApp('alice', 'bob');
    const [alice, bob] = users;
    await bob!.post('/v1/devices', { provider: 'apns', token: token(30) });
    expect((await t.server.put('/v1/push/settings', { include_content: false })).status).toBe(200);
    const cid = await createChannel(alice!, 'apns-private', ['bob']);
    const secret = await send(alice!, cid, 'the door code is 4321');
    await expect.poll(() => production.to(token(30)).length, { timeout: 15_000 }).toBe(1);
    const [shown] = production.to(token(30));
    expect(shown!.payload).toEqual({
      aps: { alert: { 'loc-key': 'CHAT_NEW_MESSAGE' }, 'mutable-content': 1, badge: 1, 'thread-id': cid },
      type: 'message.new',
      cid,
      message_id: secret.id,
      sender_id: 'alice',
      badge: 1,
      tag: cid,
    });
    expect((await bob!.post(`/v1/channels/messaging/apns-private/read`, {})).status).toBe(200);
    await expect.poll(() => production.to(token(30)).length, { timeout: 15_000 }).toBe(2);
    const [, clear] = production.to(token(30));
    expect(clear!.payload).toEqual({
      aps: { 'content-available': 1, badge: 0 },
      type: 'message.read',
      cid,
      badge: 0,
      tag: cid,
    });
    expect(clear!.headers).toMatchObject({
      'apns-push-type': 'background',
      'apns-priority': '5',
      'apns-collapse-id': cid,
    });
  });

  it('tries again after TooManyRequests, once per device', async () => {
    const { users } = await apnsApp('alice', 'bob');
    const [alice, bob] = users;
    await bob!.post('/v1/devices', { provider: 'apns', token: token(20) });
    production.answers.set(token(20), [{ status: 429, reason: 'TooManyRequests' }]);
    const cid = await createChannel(alice!, 'apns-busy', ['bob']);
    await send(alice!, cid, 'hello?');
    await expect.poll(() => production.to(token(20)).length, { timeout: 20_000 }).toBe(2);
    await settle();
    expect(production.to(token(20))).toHaveLength(2);
  });

  it('refuses a key it cannot use', async () => {
    const t = await testAppOn(server);
    const fields = { key_id: production.keyId, team_id: production.teamId, bundle_id: production.bundleId };
    const rsa = (await import('node:crypto'))
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const reply = await t.server.put('/v1/push/apns', { ...fields, key: rsa });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.issues[0].path).toEqual(['key']);
    expect(
      (await t.server.put('/v1/push/apns', { ...fields, key: production.p8, team_id: 'x' })).status,
    ).toBe(400);
  });
});
