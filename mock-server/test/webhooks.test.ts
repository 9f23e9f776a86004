import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, send } from './rest-helpers';
import { Receiver } from './webhook-receiver';

/**
 * Webhooks end to end: a committed event reaches a receiver on loopback, signed as Standard
 * Webhooks says (checked with its own library), in order per channel, once per endpoint;
 * failures are retried with the same `webhook-id`, no sooner than a Retry-After says; 410 Gone
 * and failing every retry disable the endpoint, announced as a `webhook.disabled` event. A store
 * of this file's own, so no other worker takes its deliveries.
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
    logLevel: 'silent',
    webhooks: { allowCidrs: ['127.0.0.1/32'], retryDelaySeconds: 1, retryLimit: 2, timeoutMs: 5_000 },
  });
  await receiver.start();
}, 60_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await receiver.close();
});

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

type TestApp = Awaited<ReturnType<typeof testAppOn>>;

/** An endpoint added over REST, as an app's backend would. */
async function endpoint(t: TestApp, options: { events?: string[]; url?: string } = {}) {
  const reply = await t.server.post('/v1/webhooks', {
    name: 'test',
    url: options.url ?? receiver.url,
    events: options.events ?? [],
  });
  expect(reply.status).toBe(201);
  return { id: reply.body.webhook.id as string, secret: reply.body.secret as string };
}

/** One written straight to the table: a URL the API would refuse, as if the guard's rules changed. */
async function storedEndpoint(appId: string, url: string) {
  await store.db
    .insertInto('webhooks')
    .values({ app_id: appId, name: 'test', url, secret: newSecret(), events: ['message.new'] })
    .execute();
}

async function chat(id: string) {
  const t = await testAppOn(server);
  const [alice] = await t.users('alice', 'bob');
  return { t, alice: alice!, create: () => createChannel(alice!, id, ['bob']) };
}

/** Messages `m0`… sent one after another. */
async function sendEach(sender: Parameters<typeof send>[0], cid: string, count: number) {
  const sent: Awaited<ReturnType<typeof send>>[] = [];
  for (let i = 0; i < count; i++) sent.push(await send(sender, cid, `m${i}`));
  return sent;
}

/** The receiver's message.new requests of one channel, every attempt. */
const requestsOf = (cid: string) =>
  receiver.ofType('message.new').filter((r) => JSON.parse(r.body).data.cid === cid);

/** Until `count` distinct events of the channel (webhook-ids) have reached the receiver. */
async function untilDelivered(cid: string, count: number) {
  await expect
    .poll(() => new Set(requestsOf(cid).map((r) => r.headers['webhook-id'])).size, { timeout: 30_000 })
    .toBe(count);
}

async function isActive(id: string) {
  const row = await store.db
    .selectFrom('webhooks')
    .select('is_active')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.is_active;
}

describe('webhooks', () => {
  it('delivers each committed event, signed so a Standard Webhooks library verifies it', async () => {
    const { t, alice, create } = await chat('signed');
    const hook = await endpoint(t, { events: ['message.new'] });
    const cid = await create();
    const message = await send(alice, cid, 'hello, hook');
    await expect
      .poll(() => receiver.ofType('message.new').some((r) => r.body.includes(message.id)), {
        timeout: 15_000,
      })
      .toBe(true);
    const delivery = receiver.ofType('message.new').find((r) => r.body.includes(message.id))!;
    const verified = new Webhook(hook.secret).verify(
      delivery.body,
      delivery.headers as Record<string, string>,
    ) as {
      type: string;
      data: { cid: string; seq: number; message: { id: string; text: string } };
    };
    expect(verified).toMatchObject({
      type: 'message.new',
      data: { cid, seq: message.seq, message: { text: 'hello, hook' } },
    });
    expect(delivery.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    // The filter held: the channel's creation was not sent to this endpoint.
    expect(
      receiver.got.filter((r) => r.body.includes(cid) && JSON.parse(r.body).type !== 'message.new'),
    ).toEqual([]);
    // A different secret does not verify it.
    expect(() =>
      new Webhook(newSecret()).verify(delivery.body, delivery.headers as Record<string, string>),
    ).toThrow();
  });

  it('keeps a channel’s events in order, and retries a failed one with the same webhook-id', async () => {
    const { t, alice, create } = await chat('retried');
    await endpoint(t, { events: ['message.new'] });
    const cid = await create();
    receiver.answers.push(500, 503);
    const sent = await sendEach(alice, cid, 5);
    await untilDelivered(cid, 5);
    const attempts = requestsOf(cid);
    // The first message was tried three times with one id; the rest waited behind it.
    const first = attempts.filter((r) => JSON.parse(r.body).data.message.id === sent[0]!.id);
    expect(first).toHaveLength(3);
    expect(new Set(first.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const order = [...new Set(attempts.map((r) => JSON.parse(r.body).data.seq as number))];
    expect(order).toEqual(sent.map((m) => m.seq));
  });

  it('makes the deliveries queued behind a retry in the retried job, in order, each once', async () => {
    const { t, alice, create } = await chat('caught-up');
    const hook = await endpoint(t, { events: ['message.new'] });
    const cid = await create();
    // Two seconds: time for every send below to be queued behind the first.
    receiver.answers.push({ status: 503, headers: { 'retry-after': '2' } });
    // One at a time: each lands in a feed batch (and job) of its own, queued behind the first.
    const sent = await sendEach(alice, cid, 12);
    await untilDelivered(cid, 12);
    // The retry made the first and then every one waiting behind it; their own jobs, when their
    // turn came, found them made: 13 requests in all, in the channel's order.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seqs = requestsOf(cid).map((r) => JSON.parse(r.body).data.seq as number);
    expect(seqs).toEqual([sent[0]!.seq, ...sent.map((m) => m.seq)]);
    const log = (await t.server.get(`/v1/webhooks/${hook.id}/deliveries?limit=100`)).body.deliveries;
    expect(log.map((d: { state: string }) => d.state)).toEqual(Array(12).fill('delivered'));
    expect(log.map((d: { attempts: number }) => d.attempts).sort()).toEqual([...Array(11).fill(1), 2]);
    // One job recorded them all (a job writes its log once, with one time).
    expect(new Set(log.map((d: { delivered_at: string }) => d.delivered_at)).size).toBe(1);
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const { t, alice, create } = await chat('gone');
    const hook = await endpoint(t, { events: ['message.new'] });
    const cid = await create();
    receiver.answers.push(410);
    const before = receiver.got.length;
    await send(alice, cid, 'anyone?');
    await expect.poll(() => isActive(hook.id), { timeout: 15_000 }).toBe(false);
    await send(alice, cid, 'still there?');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.got.length - before).toBe(1);
  });

  it('disables an endpoint that fails every retry, without holding its channel back for good', async () => {
    const { t, alice, create } = await chat('failing');
    const failingUrl = receiver.url.replace('/hooks', '/failing');
    const hook = await endpoint(t, { url: failingUrl, events: ['message.new'] });
    const cid = await create();
    const attemptsOf = () => receiver.got.filter((r) => JSON.parse(r.body).data.cid === cid);
    receiver.answer = (request) => ({ status: request.path === '/failing' ? 500 : 200 });
    await send(alice, cid, 'into the void');
    // The first try and its 2 retries (backing off from 1 s), then it gives up.
    await expect.poll(() => isActive(hook.id), { timeout: 60_000 }).toBe(false);
    expect(attemptsOf()).toHaveLength(3);
    expect(new Set(attemptsOf().map((r) => r.headers['webhook-id'])).size).toBe(1);

    // Fixed and enabled again, the endpoint gets the channel's next event: nothing stuck.
    receiver.answer = () => ({ status: 200 });
    expect((await t.server.patch(`/v1/webhooks/${hook.id}`, { enabled: true })).status).toBe(200);
    const next = await send(alice, cid, 'back again');
    await expect
      .poll(() => attemptsOf().some((r) => JSON.parse(r.body).data.message.id === next.id), {
        timeout: 20_000,
      })
      .toBe(true);
  }, 90_000);

  it('never reaches an address the guard refuses, and does not retry it', async () => {
    const { t, alice, create } = await chat('refused');
    // Loopback, but not the allowed address; the cloud metadata service. The API refuses both
    // (see webhooks-admin.test.ts); here they are in the table as if the rules changed since.
    const port = new URL(receiver.url).port;
    await storedEndpoint(t.app.id, `http://[::1]:${port}/hooks`);
    await storedEndpoint(t.app.id, `http://169.254.169.254/latest/meta-data`);
    const cid = await create();
    const before = receiver.got.length;
    await send(alice, cid, 'not for you');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(receiver.got.length).toBe(before);
  });

  it('waits as long as a Retry-After says, though the backoff is shorter', async () => {
    const { t, alice, create } = await chat('retry-after');
    const hook = await endpoint(t, { events: ['message.new'] });
    const cid = await create();
    receiver.answers.push({ status: 429, headers: { 'retry-after': '4' } });
    const message = await send(alice, cid, 'slow down');
    const attempts = () => receiver.ofType('message.new').filter((r) => r.body.includes(message.id));
    await expect.poll(() => attempts().length, { timeout: 30_000 }).toBe(2);
    const [first, second] = attempts();
    // The backoff alone would have tried again after 1 to 2 s.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(3_900);
    // The worker records the answer after the receiver has it: read the log once it has.
    const deliveries = async () => (await t.server.get(`/v1/webhooks/${hook.id}/deliveries`)).body.deliveries;
    await expect
      .poll(deliveries, { timeout: 10_000 })
      .toEqual([
        expect.objectContaining({ state: 'delivered', attempts: 2, last_status: 200, last_error: null }),
      ]);
  }, 40_000);

  it('logs every delivery with its state, attempts and last answer, newest first', async () => {
    const { t, alice, create } = await chat('logged');
    const hook = await endpoint(t, { events: ['message.new'] });
    const cid = await create();
    receiver.answers.push(503);
    const first = await send(alice, cid, 'one');
    const second = await send(alice, cid, 'two');
    const log = async () => (await t.server.get(`/v1/webhooks/${hook.id}/deliveries`)).body.deliveries;
    await expect
      .poll(async () => (await log()).map((d: { state: string }) => d.state), { timeout: 20_000 })
      .toEqual(['delivered', 'delivered']);
    const [newest, oldest] = await log();
    expect(newest).toMatchObject({
      event_id: expect.stringMatching(new RegExp(`:${second.seq}$`)),
      attempts: 1,
    });
    expect(oldest).toMatchObject({
      event_id: expect.stringMatching(new RegExp(`:${first.seq}$`)),
      event_type: 'message.new',
      attempts: 2,
      last_status: 200,
    });
    // Pages: one at a time, by the previous page's last id.
    const page = await t.server.get(`/v1/webhooks/${hook.id}/deliveries?limit=1&before=${newest.id}`);
    expect(page.body.deliveries.map((d: { id: string }) => d.id)).toEqual([oldest.id]);
    const failed = await t.server.get(`/v1/webhooks/${hook.id}/deliveries?state=failed`);
    expect(failed.body.deliveries).toEqual([]);
  });

  it('announces an endpoint it disables as a webhook.disabled event to the endpoints that subscribe', async () => {
    const { t, alice, create } = await chat('announced');
    const watcher = await endpoint(t, {
      events: ['webhook.disabled'],
      url: receiver.url.replace('/hooks', '/watch'),
    });
    const doomed = await endpoint(t, {
      events: ['message.new'],
      url: receiver.url.replace('/hooks', '/doomed'),
    });
    receiver.answer = (request) => ({ status: request.path === '/doomed' ? 410 : 200 });
    const cid = await create();
    await send(alice, cid, 'knock knock');
    await expect.poll(() => receiver.at('/watch').length, { timeout: 20_000 }).toBe(1);
    receiver.answer = () => ({ status: 200 });
    const [announcement] = receiver.at('/watch');
    const verified = new Webhook(watcher.secret).verify(
      announcement!.body,
      announcement!.headers as Record<string, string>,
    );
    expect(verified).toMatchObject({
      type: 'webhook.disabled',
      data: {
        webhook: { id: doomed.id, url: expect.stringContaining('/doomed') },
        reason: expect.stringContaining('410'),
      },
    });
    const after = await t.server.get(`/v1/webhooks/${doomed.id}`);
    expect(after.body.webhook).toMatchObject({
      enabled: false,
      disabled_reason: expect.stringContaining('410'),
    });
  });

  it('sends user.created and user.updated, from the backend’s upserts and a user’s own profile', async () => {
    const t = await testAppOn(server);
    const hook = await endpoint(t, {
      events: ['user.created', 'user.updated'],
      url: receiver.url.replace('/hooks', `/users-${t.app.id}`),
    });
    const [zoe] = await t.users('zoe');
    await zoe!.patch('/v1/users/me', { name: 'Zoë' });
    await t.server.post('/v1/users', { users: [{ id: 'zoe', role: 'admin' }] });
    const got = () => receiver.at(`/users-${t.app.id}`);
    await expect.poll(() => got().length, { timeout: 15_000 }).toBe(3);
    const events = got().map(
      (r) =>
        new Webhook(hook.secret).verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          data: any;
        },
    );
    expect(events.map((e) => [e.type, e.data.user.id, e.data.user.name, e.data.user.role])).toEqual([
      ['user.created', 'zoe', 'ZOE', 'user'],
      ['user.updated', 'zoe', 'Zoë', 'user'],
      ['user.updated', 'zoe', 'Zoë', 'admin'],
    ]);
  });

  it('a receiver that hangs holds back neither sending nor the other endpoints', async () => {
    const t = await testAppOn(server);
    const [alice] = await t.users('alice', 'bob');
    const hanging = await endpoint(t, {
      events: ['message.new'],
      url: receiver.url.replace('/hooks', `/hang-${t.app.id}`),
    });
    await endpoint(t, { events: ['message.new'], url: receiver.url.replace('/hooks', `/fine-${t.app.id}`) });
    receiver.answer = (request) =>
      request.path.startsWith('/hang-') ? { status: 200, delayMs: 60_000 } : { status: 204 };
    // More channels (lanes of deliveries to the hanging endpoint) than one endpoint may hold.
    const lanes = 20;
    const cids = [];
    for (let i = 0; i < lanes; i++) cids.push(await createChannel(alice!, `hang-${i}`, ['bob']));
    for (const cid of cids) await send(alice!, cid, 'hello?');
    await expect.poll(() => receiver.at(`/fine-${t.app.id}`).length, { timeout: 10_000 }).toBe(lanes);
    // All reached the other endpoint while not one attempt to the hanging one had ended (each
    // waits out the timeout): nothing waited for it. At most 16 of them were under way.
    const log = (await t.server.get(`/v1/webhooks/${hanging.id}/deliveries?limit=100`)).body.deliveries;
    expect(log).toHaveLength(lanes);
    expect(log.filter((d: { attempts: number }) => d.attempts > 0)).toEqual([]);
    expect(receiver.at(`/hang-${t.app.id}`).length).toBeLessThanOrEqual(16);
    receiver.answer = () => ({ status: 200 });
  });

  it('follows no redirect (to a private address or anywhere), and shrugs off a huge garbage answer', async () => {
    const t = await testAppOn(server);
    const [alice] = await t.users('alice', 'bob');
    const moved = await endpoint(t, {
      events: ['message.new'],
      url: receiver.url.replace('/hooks', `/moved-${t.app.id}`),
    });
    await endpoint(t, { events: ['message.new'], url: receiver.url.replace('/hooks', `/noisy-${t.app.id}`) });
    const leak = receiver.url.replace('/hooks', `/leak-${t.app.id}`);
    receiver.answer = (request) =>
      request.path.startsWith('/moved-')
        ? { status: 302, headers: { location: leak } }
        : request.path.startsWith('/noisy-')
          ? { status: 200, body: 'x'.repeat(2 * 1024 * 1024) }
          : { status: 200 };
    const cid = await createChannel(alice!, 'redirects', ['bob']);
    await send(alice!, cid, 'where to?');
    await expect.poll(() => receiver.at(`/noisy-${t.app.id}`).length, { timeout: 10_000 }).toBe(1);
    await expect
      .poll(
        async () =>
          (await t.server.get(`/v1/webhooks/${moved.id}/deliveries`)).body.deliveries[0]?.last_status,
        {
          timeout: 10_000,
        },
      )
      .toBe(302);
    expect(receiver.at(`/leak-${t.app.id}`)).toEqual([]);
    receiver.answer = () => ({ status: 200 });
  });
});
