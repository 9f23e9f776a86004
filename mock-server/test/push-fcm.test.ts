import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { FakeFcm } from './fcm-service';
import { newTestSchema, TEST_SECRET_KEY, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, send } from './rest-helpers';

/**
 * FCM end to end, against a fake of Google's side that checks the service account's signed token
 * request and answers with FCM's real bodies: a new message reaches the offline members' FCM
 * tokens with a notification, the app's data and a collapse key per channel; one access token
 * serves many pushes; UNREGISTERED removes the device; 503 with Retry-After is tried again, each
 * device pushed once. A store of this file's own, so no other worker takes its jobs.
 */

let store: Store;
let server: ChatServer;
const fcm = new FakeFcm();

beforeAll(async () => {
  await fcm.start();
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
    push: { ca: fcm.ca, timeoutMs: 5_000 },
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await fcm.close();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

describe('FCM', () => {
  it('pushes to offline members’ tokens with one access token, and removes an unregistered one', async () => {
    const t = await testAppOn(server);
    const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
    const account = fcm.serviceAccount();
    const set = await t.server.put('/v1/push/fcm', { service_account: account, base_url: fcm.url });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.fcm).toMatchObject({
      project_id: fcm.projectId,
      client_email: fcm.clientEmail,
      base_url: fcm.url,
    });
    expect(JSON.stringify(set.body)).not.toContain('PRIVATE KEY');

    const bobToken = `bob-${t.app.id}`;
    const carolToken = `carol-${t.app.id}`;
    await bob!.post('/v1/devices', { provider: 'fcm', token: bobToken });
    await carol!.post('/v1/devices', { provider: 'fcm', token: carolToken });
    await alice!.post('/v1/devices', { provider: 'fcm', token: `alice-${t.app.id}` });
    fcm.unregistered.add(carolToken);
    const tokensBefore = fcm.tokenRequests;
    const attempts = async (outcome: string) => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`chat_push_attempts_total{provider="fcm",outcome="${outcome}"} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const [sentBefore, goneBefore] = [await attempts('sent'), await attempts('gone')];

    const cid = await createChannel(alice!, 'fcm-room', ['bob', 'carol']);
    const first = await send(alice!, cid, 'Standup in 5');
    await expect.poll(() => fcm.to(bobToken).length, { timeout: 15_000 }).toBe(1);
    expect(fcm.to(bobToken)[0]).toMatchObject({
      notification: { title: 'ALICE', body: 'Standup in 5' },
      // FCM's data is strings only.
      data: { type: 'message.new', cid, message_id: first.id, sender_id: 'alice', badge: '1', tag: cid },
      android: { collapse_key: cid, priority: 'HIGH', notification: { tag: cid, notification_count: 1 } },
      apns: { payload: { aps: { badge: 1 } } },
    });
    await expect
      .poll(async () => (await carol!.get('/v1/devices')).body.devices, { timeout: 10_000 })
      .toEqual([]);
    expect(fcm.to(`alice-${t.app.id}`)).toEqual([]);

    await send(alice!, cid, 'second');
    await expect.poll(() => fcm.to(bobToken).length, { timeout: 15_000 }).toBe(2);
    await settle();
    expect(fcm.to(carolToken)).toHaveLength(1);
    // Counted in the node's metrics: bob's two pushes sent, carol's unregistered token gone.
    expect(await attempts('sent')).toBe(sentBefore + 2);
    expect(await attempts('gone')).toBe(goneBefore + 1);
    // One access token for both pushes and both messages.
    expect(fcm.tokenRequests - tokensBefore).toBe(1);
    // Sends over HTTP/2 (as Google's Admin SDK sends them); the token grant over HTTP/1.1.
    expect(fcm.versions.get('2.0')).toBeGreaterThanOrEqual(3);
    expect(fcm.versions.get('1.1')).toBeGreaterThanOrEqual(1);
  });

  it('a connection cut with sends in flight: the retries go over a new one, each device once', async () => {
    const t = await testAppOn(server);
    const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
    await t.server.put('/v1/push/fcm', { service_account: fcm.serviceAccount(), base_url: fcm.url });
    const tokens = [`bob-${t.app.id}`, `carol-${t.app.id}`];
    await bob!.post('/v1/devices', { provider: 'fcm', token: tokens[0] });
    await carol!.post('/v1/devices', { provider: 'fcm', token: tokens[1] });
    const cid = await createChannel(alice!, 'fcm-cut', ['bob', 'carol']);
    fcm.down = true;
    try {
      const message = await send(alice!, cid, 'through the tunnel');
      // The first attempt is cut off (the retry waits 5 s).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(tokens.flatMap((token) => fcm.to(token))).toEqual([]);
      fcm.down = false;
      for (const token of tokens) await expect.poll(() => fcm.to(token).length, { timeout: 20_000 }).toBe(1);
      await settle();
      for (const token of tokens) expect(fcm.to(token).map((m) => m.data.message_id)).toEqual([message.id]);
    } finally {
      fcm.down = false;
    }
  });

  it('tries again after FCM is unavailable, pushing each device once', async () => {
    const t = await testAppOn(server);
    const [alice, bob] = await t.users('alice', 'bob');
    await t.server.put('/v1/push/fcm', { service_account: fcm.serviceAccount(), base_url: fcm.url });
    const token = `bob-${t.app.id}`;
    await bob!.post('/v1/devices', { provider: 'fcm', token });
    fcm.answers.set(token, [{ status: 503, headers: { 'retry-after': '1' } }]);
    const cid = await createChannel(alice!, 'fcm-retry', ['bob']);
    await send(alice!, cid, 'are you there?');
    await expect.poll(() => fcm.to(token).length, { timeout: 20_000 }).toBe(2);
    await settle();
    expect(fcm.to(token)).toHaveLength(2);
  });

  it('a message to 1,150 devices (three chunks): each device once, the refused ones on the retry only', async () => {
    const t = await testAppOn(server);
    const names = Array.from({ length: 50 }, (_, i) => `member${i}`);
    const [alice, ...members] = await t.users('alice', ...names);
    await t.server.put('/v1/push/fcm', { service_account: fcm.serviceAccount(), base_url: fcm.url });
    // 23 devices each: the chunks of 500 split some users' devices across two chunks.
    const tokens = names.flatMap((name) => Array.from({ length: 23 }, (_, k) => `${name}-${k}-${t.app.id}`));
    for (let u = 0; u < members.length; u++)
      await Promise.all(
        tokens
          .slice(u * 23, (u + 1) * 23)
          .map((token) => members[u]!.post('/v1/devices', { provider: 'fcm', token })),
      );
    // FCM is unavailable for some devices in every chunk, once.
    const refused = tokens.filter((_, i) => i % 97 === 0);
    for (const token of refused) fcm.answers.set(token, [{ status: 503 }]);
    const cid = await createChannel(alice!, 'fcm-crowd', names);
    const message = await send(alice!, cid, 'all hands');
    const attempts = () => tokens.reduce((n, token) => n + fcm.to(token).length, 0);
    await expect.poll(attempts, { timeout: 40_000, interval: 250 }).toBe(tokens.length + refused.length);
    await settle();
    expect(tokens.flatMap((token) => fcm.to(token)).every((m) => m.data.message_id === message.id)).toBe(
      true,
    );
    // Every device got it once; the refused ones were tried twice, the rest once.
    for (const token of tokens) expect(fcm.to(token)).toHaveLength(refused.includes(token) ? 2 : 1);
    // Each user's badge is theirs: one unread message.
    expect(new Set(tokens.map((token) => fcm.to(token).at(-1)!.data.badge))).toEqual(new Set(['1']));
    const stats = (await t.server.get('/v1/push/stats')).body;
    expect(JSON.stringify(stats)).toContain(`"sent":${tokens.length}`);
  }, 90_000);

  it('refuses a service account it cannot use, and keeps what was set', async () => {
    const t = await testAppOn(server);
    const bad = await t.server.put('/v1/push/fcm', {
      service_account: {
        ...fcm.serviceAccount(),
        private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n',
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toEqual(['service_account', 'private_key']);
    for (const body of [
      { service_account: { ...fcm.serviceAccount(), project_id: 'Not A Project' } },
      { service_account: fcm.serviceAccount(), base_url: 'http://fcm.example.com' },
      { service_account: { ...fcm.serviceAccount(), client_email: 'nobody' } },
      {},
    ])
      expect((await t.server.put('/v1/push/fcm', body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
    const [alice] = await t.users('alice');
    expect((await alice!.put('/v1/push/fcm', { service_account: fcm.serviceAccount() })).status).toBe(403);
    expect((await t.server.delete('/v1/push/fcm')).status).toBe(200);
  });
});
