import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, send } from './rest-helpers';

/**
 * Webhooks end to end: a committed event reaches a receiver on loopback, signed as Standard
 * Webhooks says (checked with its own library), in order per channel, once per endpoint;
 * failures are retried with the same `webhook-id`; 410 Gone disables the endpoint. A store of
 * this file's own, so no other worker takes its deliveries.
 */

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver whose answers the test decides, one status per request (then 200). */
class Receiver {
  readonly got: Received[] = [];
  answers: number[] = [];
  /** Requests to `/failing` get 500 while this is set. */
  failing = true;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        this.got.push({ headers: req.headers, body });
        res.statusCode = req.url === '/failing' && this.failing ? 500 : (this.answers.shift() ?? 200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  ofType(type: string) {
    return this.got.filter((r) => JSON.parse(r.body).type === type);
  }
}

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
    webhooks: { allowCidrs: ['127.0.0.1/32'], retryDelaySeconds: 1, retryLimit: 2 },
  });
  await receiver.start();
}, 60_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await receiver.close();
});

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

async function endpoint(appId: string, options: { events?: string[]; url?: string } = {}) {
  const secret = newSecret();
  const row = await store.db
    .insertInto('webhooks')
    .values({
      app_id: appId,
      name: 'test',
      url: options.url ?? receiver.url,
      secret,
      events: options.events ?? [],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

async function chat(id: string) {
  const t = await testAppOn(server);
  const [alice] = await t.users('alice', 'bob');
  return { t, alice: alice!, create: () => createChannel(alice!, id, ['bob']) };
}

describe('webhooks', () => {
  it('delivers each committed event, signed so a Standard Webhooks library verifies it', async () => {
    const { t, alice, create } = await chat('signed');
    const hook = await endpoint(t.app.id, { events: ['message.new'] });
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
    await endpoint(t.app.id, { events: ['message.new'] });
    const cid = await create();
    receiver.answers.push(500, 503);
    const sent: Awaited<ReturnType<typeof send>>[] = [];
    for (let i = 0; i < 5; i++) sent.push(await send(alice, cid, `m${i}`));
    const ofChannel = () => receiver.ofType('message.new').filter((r) => JSON.parse(r.body).data.cid === cid);
    await expect
      .poll(() => new Set(ofChannel().map((r) => r.headers['webhook-id'])).size, { timeout: 30_000 })
      .toBe(5);
    const attempts = ofChannel();
    // The first message was tried three times with one id; the rest waited behind it.
    const first = attempts.filter((r) => JSON.parse(r.body).data.message.id === sent[0]!.id);
    expect(first).toHaveLength(3);
    expect(new Set(first.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const order = [...new Set(attempts.map((r) => JSON.parse(r.body).data.seq as number))];
    expect(order).toEqual(sent.map((m) => m.seq));
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const { t, alice, create } = await chat('gone');
    const hook = await endpoint(t.app.id, { events: ['message.new'] });
    const cid = await create();
    receiver.answers.push(410);
    const before = receiver.got.length;
    await send(alice, cid, 'anyone?');
    await expect
      .poll(
        async () =>
          (
            await store.db
              .selectFrom('webhooks')
              .select('is_active')
              .where('id', '=', hook.id)
              .executeTakeFirstOrThrow()
          ).is_active,
        { timeout: 15_000 },
      )
      .toBe(false);
    await send(alice, cid, 'still there?');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.got.length - before).toBe(1);
  });

  it('disables an endpoint that fails every retry, without holding its channel back for good', async () => {
    const { t, alice, create } = await chat('failing');
    const failingUrl = receiver.url.replace('/hooks', '/failing');
    const hook = await endpoint(t.app.id, { url: failingUrl, events: ['message.new'] });
    const cid = await create();
    const isActive = async () =>
      (
        await store.db
          .selectFrom('webhooks')
          .select('is_active')
          .where('id', '=', hook.id)
          .executeTakeFirstOrThrow()
      ).is_active;
    const attemptsOf = () => receiver.got.filter((r) => JSON.parse(r.body).data.cid === cid);
    await send(alice, cid, 'into the void');
    // The first try and its 2 retries (backing off from 1 s), then it gives up.
    await expect.poll(isActive, { timeout: 60_000 }).toBe(false);
    expect(attemptsOf()).toHaveLength(3);
    expect(new Set(attemptsOf().map((r) => r.headers['webhook-id'])).size).toBe(1);

    // Fixed and enabled again, the endpoint gets the channel's next event: nothing stuck.
    receiver.failing = false;
    await store.db.updateTable('webhooks').set({ is_active: true }).where('id', '=', hook.id).execute();
    const next = await send(alice, cid, 'back again');
    await expect
      .poll(() => attemptsOf().some((r) => JSON.parse(r.body).data.message.id === next.id), {
        timeout: 20_000,
      })
      .toBe(true);
  }, 90_000);

  it('never reaches an address the guard refuses, and does not retry it', async () => {
    const { t, alice, create } = await chat('refused');
    // Loopback, but not the allowed address.
    const port = new URL(receiver.url).port;
    await endpoint(t.app.id, { url: `http://[::1]:${port}/hooks`, events: ['message.new'] });
    await endpoint(t.app.id, { url: `http://169.254.169.254/latest/meta-data`, events: ['message.new'] });
    const cid = await create();
    const before = receiver.got.length;
    await send(alice, cid, 'not for you');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(receiver.got.length).toBe(before);
  });
});
