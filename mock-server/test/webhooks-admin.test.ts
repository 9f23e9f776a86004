import { randomBytes } from 'node:crypto';
import { LIMITS } from '@chat/protocol';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, expectError, expectInvalid, send } from './rest-helpers';
import { Receiver } from './webhook-receiver';

/**
 * Managing webhooks over REST as an app's backend does: endpoints (validated, bounded, the
 * secret shown once), secret rotation with both signatures during the grace, the delivery log,
 * and replays of one delivery or of a time range. A store of this file's own, so no other
 * worker takes its deliveries.
 */

let store: Store;
let server: ChatServer;
const receiver = new Receiver();

beforeAll(async () => {
  store =
    testDatabase === 'postgres'
      ? await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 4 })
      : await openStore({ dataDir: 'memory' });
  server = await createChatServer({
    store,
    port: 0,
    seedDemo: false,
    logLevel: (process.env.LOGLEVEL as 'silent') ?? 'silent',
    webhooks: { allowCidrs: ['127.0.0.1/32'], retryDelaySeconds: 1, retryLimit: 2 },
  });
  await receiver.start();
}, 60_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await receiver.close();
});

const whsec = (bytes = 32) => `whsec_${randomBytes(bytes).toString('base64')}`;

async function setup(name: string) {
  const t = await testAppOn(server);
  const [alice] = await t.users('alice', 'bob');
  const path = `/${name}-${t.app.id}`;
  const url = receiver.url.replace('/hooks', path);
  const created = await t.server.post('/v1/webhooks', { name, url, events: ['message.new'] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const cid = await createChannel(alice!, name, ['bob']);
  return {
    t,
    alice: alice!,
    cid,
    id: created.body.webhook.id as string,
    secret: created.body.secret as string,
    got: () => receiver.at(path),
  };
}

const log = async (t: Awaited<ReturnType<typeof testAppOn>>, id: string, query = '') =>
  (await t.server.get(`/v1/webhooks/${id}/deliveries${query}`)).body.deliveries;

describe('webhook endpoints over REST', () => {
  it('are created with a secret shown once, listed, read, changed and removed', async () => {
    const t = await testAppOn(server);
    const secret = whsec();
    const created = await t.server.post('/v1/webhooks', {
      name: 'Orders',
      url: `${receiver.url}/orders`,
      events: ['message.new', 'channel.created'],
      secret,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      webhook: {
        id: expect.any(String),
        name: 'Orders',
        url: `${receiver.url}/orders`,
        events: ['message.new', 'channel.created'],
        enabled: true,
        disabled_reason: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
      secret,
    });
    const { id } = created.body.webhook;
    const listed = await t.server.get('/v1/webhooks');
    expect(listed.body.webhooks).toEqual([created.body.webhook]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify((await t.server.get(`/v1/webhooks/${id}`)).body)).not.toContain(secret);

    const changed = await t.server.patch(`/v1/webhooks/${id}`, {
      name: 'Orders v2',
      events: [],
      enabled: false,
    });
    expect(changed.body.webhook).toMatchObject({ name: 'Orders v2', events: [], enabled: false });
    expect((await t.server.get(`/v1/webhooks/${id}`)).body.webhook).toEqual(changed.body.webhook);

    expect((await t.server.delete(`/v1/webhooks/${id}`)).body).toEqual({ ok: true });
    expectError(await t.server.get(`/v1/webhooks/${id}`), 404, 'not_found');
    expectError(await t.server.delete(`/v1/webhooks/${id}`), 404, 'not_found');
    expect((await t.server.get('/v1/webhooks')).body.webhooks).toEqual([]);
  });

  it('a server-made secret is a Standard Webhooks secret', async () => {
    const t = await testAppOn(server);
    const created = await t.server.post('/v1/webhooks', { name: 'x', url: `${receiver.url}/x` });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(() => new Webhook(created.body.secret)).not.toThrow();
  });

  it('refuse bad configuration with the field named, and change nothing', async () => {
    const t = await testAppOn(server);
    const bad: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: 'x', url: 'http://10.1.2.3/hook' }, ['url']],
      [{ name: 'x', url: 'http://169.254.169.254/latest/meta-data' }, ['url']],
      [{ name: 'x', url: 'http://[::1]:8080/hook' }, ['url']],
      [{ name: 'x', url: 'file:///etc/passwd' }, ['url']],
      [{ name: 'x', url: 'https://user:pw@hooks.example.com/' }, ['url']],
      [{ name: 'x', url: `https://hooks.example.com/${'a'.repeat(LIMITS.URL_LENGTH)}` }, ['url']],
      [{ name: 'x', url: 'https://hooks.example.com/', events: ['message.flew'] }, ['events', 0]],
      [{ name: 'x', url: 'https://hooks.example.com/', secret: 'whsec_dG9vc2hvcnQ=' }, ['secret']],
      [{ name: 'x', url: 'https://hooks.example.com/', secret: 'hunter2' }, ['secret']],
      [{ name: '', url: 'https://hooks.example.com/' }, ['name']],
    ];
    for (const [body, path] of bad) expectInvalid(await t.server.post('/v1/webhooks', body), path);
    expect((await t.server.get('/v1/webhooks')).body.webhooks).toEqual([]);
    const created = await t.server.post('/v1/webhooks', { name: 'ok', url: 'https://hooks.example.com/ok' });
    const id = created.body.webhook.id;
    expectInvalid(await t.server.patch(`/v1/webhooks/${id}`, { url: 'http://192.168.0.1/' }), ['url']);
    expectInvalid(await t.server.patch(`/v1/webhooks/${id}`, {}), []);
    expect((await t.server.get(`/v1/webhooks/${id}`)).body.webhook).toEqual(created.body.webhook);
  });

  it(`are at most ${LIMITS.WEBHOOKS_PER_APP} per application`, async () => {
    const t = await testAppOn(server);
    await Promise.all(
      Array.from({ length: LIMITS.WEBHOOKS_PER_APP + 3 }, (_, i) =>
        t.server.post('/v1/webhooks', { name: `n${i}`, url: `https://hooks.example.com/${i}` }),
      ),
    );
    expect((await t.server.get('/v1/webhooks')).body.webhooks).toHaveLength(LIMITS.WEBHOOKS_PER_APP);
    expectError(
      await t.server.post('/v1/webhooks', { name: 'one more', url: 'https://hooks.example.com/more' }),
      409,
      'conflict',
    );
  });

  it('are the app backend’s only: a user token, even an admin’s, is refused', async () => {
    const t = await testAppOn(server);
    await t.server.post('/v1/users', { users: [{ id: 'root', role: 'admin' }] });
    const admin = await t.user('root');
    expectError(await admin.post('/v1/webhooks', { name: 'x', url: 'https://hooks.example.com/' }), 403);
    expectError(await admin.get('/v1/webhooks'), 403);
    expect((await t.server.get('/v1/webhooks')).body.webhooks).toEqual([]);
  });
});

describe('secret rotation', () => {
  it('signs with both secrets during the grace, so a receiver with either verifies', async () => {
    const { t, alice, cid, id, secret: old, got } = await setup('rotate');
    const rotated = await t.server.post(`/v1/webhooks/${id}/secret/rotate`, { previous_secret_ttl_s: 3600 });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(old);
    await send(alice, cid, 'during the grace');
    await expect.poll(() => got().length, { timeout: 15_000 }).toBe(1);
    const [delivery] = got();
    const headers = delivery!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(old).verify(delivery!.body, headers)).toMatchObject({ type: 'message.new' });
    expect(new Webhook(fresh).verify(delivery!.body, headers)).toMatchObject({ type: 'message.new' });

    // Rotated again with no grace: only the newest secret signs (the first one's grace runs on).
    const newest = (
      await t.server.post(`/v1/webhooks/${id}/secret/rotate`, { previous_secret_ttl_s: 0, secret: whsec(24) })
    ).body.secret as string;
    await send(alice, cid, 'after the second rotation');
    await expect.poll(() => got().length, { timeout: 15_000 }).toBe(2);
    const second = got()[1]!;
    const h2 = second.headers as Record<string, string>;
    expect(new Webhook(newest).verify(second.body, h2)).toMatchObject({ type: 'message.new' });
    expect(() => new Webhook(fresh).verify(second.body, h2)).toThrow();
  });
});

describe('replay', () => {
  it('sends one delivery again with its webhook-id, logged as a replay of it', async () => {
    const { t, alice, cid, id, got } = await setup('replay-one');
    await send(alice, cid, 'once more, please');
    await expect
      .poll(async () => (await log(t, id)).map((d: { state: string }) => d.state), { timeout: 15_000 })
      .toEqual(['delivered']);
    const [original] = await log(t, id);
    const replayed = await t.server.post(`/v1/webhooks/${id}/deliveries/${original.id}/replay`);
    expect(replayed.status).toBe(201);
    expect(replayed.body.delivery).toMatchObject({
      replay_of: original.id,
      message_id: original.message_id,
      event_id: original.event_id,
      state: 'pending',
    });
    await expect.poll(() => got().length, { timeout: 15_000 }).toBe(2);
    const [first, again] = got();
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(again!.body).toBe(first!.body);
    await expect.poll(async () => (await log(t, id))[0].state, { timeout: 15_000 }).toBe('delivered');
    expectError(
      await t.server.post(`/v1/webhooks/${id}/deliveries/${crypto.randomUUID()}/replay`),
      404,
      'not_found',
    );
  });

  it('sends what a disabled endpoint missed, in order, when a time range is replayed', async () => {
    const { t, alice, cid, id, got } = await setup('replay-range');
    await send(alice, cid, 'before');
    await expect.poll(() => got().length, { timeout: 15_000 }).toBe(1);
    await t.server.patch(`/v1/webhooks/${id}`, { enabled: false });
    const since = new Date().toISOString();
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push(await send(alice, cid, `missed ${i}`));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(got()).toHaveLength(1);
    await t.server.patch(`/v1/webhooks/${id}`, { enabled: true });

    const replay = await t.server.post(`/v1/webhooks/${id}/replay`, { since });
    expect(replay.body).toEqual({ queued: 5, next_since: null });
    await expect.poll(() => got().length, { timeout: 20_000 }).toBe(6);
    const texts = got()
      .slice(1)
      .map((r) => JSON.parse(r.body).data.message.text);
    expect(texts).toEqual(missed.map((m) => m.text));
    // Replaying a range with nothing in it queues nothing; a bad range is refused.
    expect(
      (
        await t.server.post(`/v1/webhooks/${id}/replay`, {
          since: '2001-01-01T00:00:00Z',
          until: '2001-01-02T00:00:00Z',
        })
      ).body,
    ).toEqual({ queued: 0, next_since: null });
    expectInvalid(
      await t.server.post(`/v1/webhooks/${id}/replay`, {
        since: '2030-01-02T00:00:00Z',
        until: '2030-01-01T00:00:00Z',
      }),
      ['since'],
    );
  });

  it('of a deleted endpoint: not found, and its queued deliveries are dropped quietly', async () => {
    const { t, alice, cid, id, got } = await setup('replay-deleted');
    receiver.answers.push({ status: 200, delayMs: 1_000 });
    await send(alice, cid, 'first');
    await send(alice, cid, 'second');
    await expect.poll(() => got().length, { timeout: 15_000 }).toBe(1);
    await t.server.delete(`/v1/webhooks/${id}`);
    expectError(
      await t.server.post(`/v1/webhooks/${id}/replay`, { since: '2020-01-01T00:00:00Z' }),
      404,
      'not_found',
    );
    expectError(await t.server.get(`/v1/webhooks/${id}/deliveries`), 404, 'not_found');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(got()).toHaveLength(1);
    // The server still delivers other work: another endpoint of the app gets the next message.
    const other = await t.server.post('/v1/webhooks', {
      name: 'other',
      url: receiver.url.replace('/hooks', `/other-${t.app.id}`),
      events: ['message.new'],
    });
    expect(other.status).toBe(201);
    await send(alice, cid, 'third');
    await expect.poll(() => receiver.at(`/other-${t.app.id}`).length, { timeout: 15_000 }).toBe(1);
  });
});
