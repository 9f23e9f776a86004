import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatEvent, EventOf } from '@chat/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { startJobQueue, stopJobQueue } from '../src/jobs/job-queue';
import { RETENTION_JOBS } from '../src/jobs/retention';
import { UPLOAD_SWEEP_QUEUE } from '../src/jobs/upload-sweep';
import { createLogger } from '../src/kernel/logger';
import { openStore, type Store } from '../src/store/database';
import type { AppRow } from '../src/store/schema';
import { Api } from './api';
import { ChannelFeed } from './channel-feed';
import { createTestApp, newTestSchema, testDatabase } from './harness';
import { crash, type ServerNode, startNode, stopNodes } from './multi-node-cluster';
import { Receiver } from './webhook-receiver';
import { WsClient } from './ws-client';

/**
 * Several `chat-server` processes behind one PostgreSQL and one Redis, as in production behind a
 * load balancer: messages, typing and presence cross nodes; a node killed outright loses no
 * message for its clients once they reconnect elsewhere; the write budget is per user across
 * nodes.
 */

const databaseUrl = process.env.DATABASE_URL || undefined;
const redisUrl = process.env.REDIS_URL || undefined;
const SKIPPED = 'multi-node suite skipped: DATABASE_URL and REDIS_URL are needed';

// vitest.config.ts runs every file in a `pglite` project and, with DATABASE_URL, a `postgres`
// one. These processes bring their own PostgreSQL schema, so one of the two is enough.
let runs = false;
if (databaseUrl && testDatabase !== 'postgres') {
  console.info('multi-node suite runs in the postgres project');
} else if (!databaseUrl || !redisUrl) {
  if (process.env.CHAT_REQUIRE_SERVICES === '1') throw new Error(`CHAT_REQUIRE_SERVICES=1 but ${SKIPPED}`);
  console.warn(SKIPPED);
} else {
  runs = true;
}

const HEARTBEAT_MS = 300;
const PRESENCE_TTL_MS = 1_500;
const PRESENCE_GRACE_MS = 1_500;

type Message = EventOf<'message.new'>['message'];
type PresenceEvent = EventOf<'user.presence.changed'>;

const schema = newTestSchema();
// Keys of this file's nodes only: nodes of another run on the same Redis (a second checkout's
// tests) would otherwise sweep this run's expired presence entries against their own database.
const redisPrefix = `${schema}:`;
let store: Store;
const apps: AppRow[] = [];
const clients = new Set<WsClient>();
const allNodes: ServerNode[] = [];

/** The environment every node of this file shares: the same schema, the same Redis. */
function nodeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl!,
    CHAT_DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl!,
    CHAT_REDIS_PREFIX: redisPrefix,
    CHAT_SEED_DEMO: '0',
    CHAT_WS_HEARTBEAT_MS: String(HEARTBEAT_MS),
    CHAT_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    CHAT_PRESENCE_GRACE_MS: String(PRESENCE_GRACE_MS),
    // The roles test's webhook receiver and before-send hook listen on loopback.
    CHAT_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    ...extra,
  };
}

async function startNodes<const N extends readonly string[]>(
  names: N,
  extra: Record<string, string> = {},
): Promise<{ -readonly [K in keyof N]: ServerNode }> {
  const started = await Promise.allSettled(names.map((name) => startNode(name, nodeEnv(extra))));
  for (const result of started) if (result.status === 'fulfilled') allNodes.push(result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return started.map((result) => (result as PromiseFulfilledResult<ServerNode>).value) as {
    -readonly [K in keyof N]: ServerNode;
  };
}

/** A fresh application with these users (created server-side through `node`), on the shared schema. */
async function newApp(node: ServerNode, users: string[]) {
  const app = await createTestApp(store.db);
  apps.push(app);
  const server = new Api(node.url, app.api_key, await createServerToken(app.api_secret));
  const reply = await server.post('/v1/users', {
    users: users.map((id) => ({ id, name: id.toUpperCase() })),
  });
  if (reply.status !== 200) throw new Error(`upsert users failed: ${JSON.stringify(reply.body)}`);
  return {
    app,
    /** The app backend's REST client (server token) on `on`. */
    backend: async (on: ServerNode) => new Api(on.url, app.api_key, await createServerToken(app.api_secret)),
    /** A REST client acting as `user` on `on`. */
    rest: async (on: ServerNode, user: string) =>
      new Api(on.url, app.api_key, await createUserToken(app.api_secret, user)),
    /** An authenticated socket of `user` on `on`. */
    connect: async (on: ServerNode, user: string) => {
      const client = await WsClient.connect(
        on.wsUrl,
        app.api_key,
        await createUserToken(app.api_secret, user),
      );
      clients.add(client);
      return client;
    },
  };
}

async function createChannel(api: Api, id: string, members: string[]): Promise<string> {
  const reply = await api.post('/v1/channels', { type: 'messaging', id, members });
  if (reply.status !== 201) throw new Error(`create channel failed: ${JSON.stringify(reply.body)}`);
  return reply.body.channel.cid;
}

const sendFrame = (cid: string, text: string, clientMsgId: string = randomUUID()) =>
  ({ type: 'message.send', cid, message: { client_msg_id: clientMsgId, text } }) as const;

const presenceOf =
  (user: string, online: boolean) =>
  (event: ChatEvent): boolean =>
    event.type === 'user.presence.changed' && event.user.id === user && event.user.online === online;

const closes = new WeakMap<WsClient, Promise<number>>();
/** Resolves when the socket is closed (at once if it already is), with its close code. */
function closed(client: WsClient): Promise<number> {
  let close = closes.get(client);
  if (!close) {
    close =
      client.closeCode !== null
        ? Promise.resolve(client.closeCode)
        : new Promise((resolve) => client.ws.once('close', (code: number) => resolve(code)));
    closes.set(client, close);
  }
  return close;
}

/**
 * Sends a request frame; resolves with its reply, or with 'closed' when the socket drops first
 * (the request's fate is then unknown, which is what a client retrying with the same
 * `client_msg_id` has to cope with).
 */
async function requestOrClosed(client: WsClient, frame: Parameters<WsClient['request']>[0]) {
  if (client.closeCode !== null || client.ws.readyState !== client.ws.OPEN) return 'closed' as const;
  const reply = client.request(frame, 30_000);
  reply.catch(() => undefined); // abandoned when the socket drops: it can only time out
  return Promise.race([reply, closed(client).then(() => 'closed' as const)]);
}

/** Messages stored in a channel, in seq order, straight from the database. */
async function storedMessages(appId: string, cid: string) {
  const externalId = cid.slice(cid.indexOf(':') + 1);
  return store.db
    .selectFrom('messages')
    .innerJoin('channels', 'channels.id', 'messages.channel_id')
    .select(['messages.id', 'messages.seq', 'messages.client_msg_id'])
    .where('messages.app_id', '=', appId)
    .where('channels.external_id', '=', externalId)
    .orderBy('messages.seq')
    .execute();
}

describe.skipIf(!runs)('several chat-server processes on one PostgreSQL and one Redis', () => {
  beforeAll(async () => {
    // Migrated once here, so the nodes start on a ready schema instead of racing to create it.
    store = await openStore({ databaseUrl: databaseUrl!, schema, poolSize: 2 });
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      for (const node of allNodes) console.error(`--- ${node.name} (${node.url}) output:\n${node.output()}`);
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await stopNodes(allNodes);
    if (redisUrl) {
      // Only this file's keys: they all start with its prefix.
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
      try {
        for await (const keys of redis.scanStream({ match: `${redisPrefix}*`, count: 500 }) as AsyncIterable<
          string[]
        >)
          if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    }
    await store?.close();
    // The schema goes with the run's others, in test/global-setup.ts.
  });

  describe('three nodes', () => {
    let node1: ServerNode;
    let node2: ServerNode;
    let node3: ServerNode;
    let t: Awaited<ReturnType<typeof newApp>>;
    let lobby: string;
    const everyone = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

    beforeAll(async () => {
      [node1, node2, node3] = await startNodes(['node1', 'node2', 'node3'], {
        // High enough for the outage test below; the budget has its own nodes.
        CHAT_WS_WRITES_PER_WINDOW: '1000',
      });
      t = await newApp(node1, everyone);
      lobby = await createChannel(await t.rest(node1, 'alice'), 'lobby', everyone);
    }, 60_000);

    it('a message sent on one node is acked there and delivered on the others', async () => {
      const alice = await t.connect(node1, 'alice');
      const bob = await t.connect(node2, 'bob');
      const carol = await t.connect(node3, 'carol');
      for (const client of [alice, bob, carol]) await client.ok({ type: 'channel.watch', cid: lobby });

      const { message } = await alice.ok<{ message: Message }>(sendFrame(lobby, 'hello from node 1'));
      expect(message.text).toBe('hello from node 1');
      for (const client of [alice, bob, carol]) {
        const event = await client.waitFor<EventOf<'message.new'>>(
          (e) => e.type === 'message.new' && e.message.id === message.id,
        );
        expect(event).toMatchObject({
          cid: lobby,
          seq: message.seq,
          message: { id: message.id, user: { id: 'alice' } },
        });
      }

      const reply = await carol.ok<{ message: Message }>(sendFrame(lobby, 'and back from node 3'));
      for (const client of [alice, bob, carol]) {
        await client.waitFor((e) => e.type === 'message.new' && e.message.id === reply.message.id);
      }
      // Each socket got each message once.
      for (const client of [alice, bob, carol]) {
        const ids = client.events
          .filter((e): e is EventOf<'message.new'> => e.type === 'message.new')
          .map((e) => e.message.id);
        expect(ids).toEqual([message.id, reply.message.id]);
      }
      for (const client of [alice, bob, carol]) client.close();
    });

    it('typing crosses nodes, and never comes back to the typist', async () => {
      const alice = await t.connect(node1, 'alice');
      const bob = await t.connect(node2, 'bob');
      const carol = await t.connect(node3, 'carol');
      for (const client of [alice, bob, carol]) await client.ok({ type: 'channel.watch', cid: lobby });

      await alice.ok({ type: 'typing.start', cid: lobby });
      for (const client of [bob, carol]) {
        const event = await client.waitFor((e) => e.type === 'typing.start');
        expect(event).toMatchObject({
          type: 'typing.start',
          cid: lobby,
          user: { id: 'alice' },
          parent_id: null,
        });
      }
      await alice.ok({ type: 'typing.stop', cid: lobby });
      for (const client of [bob, carol]) {
        await client.waitFor((e) => e.type === 'typing.stop' && e.user.id === 'alice');
      }
      expect(alice.events.filter((e) => e.type.startsWith('typing.'))).toEqual([]);
      for (const client of [alice, bob, carol]) client.close();
    });

    it('watcher counts add up across nodes, and drop when a watcher leaves', async () => {
      const room = await createChannel(await t.rest(node1, 'alice'), 'watchers', ['alice', 'bob', 'carol']);
      const alice = await t.connect(node1, 'alice');
      const bob = await t.connect(node2, 'bob');
      const carol = await t.connect(node3, 'carol');
      const counts: number[] = [];
      for (const client of [alice, bob, carol])
        counts.push(
          (await client.ok<{ watcher_count: number }>({ type: 'channel.watch', cid: room })).watcher_count,
        );
      expect(counts).toEqual([1, 2, 3]);
      const watchersAre = (n: number) => (e: ChatEvent) =>
        e.type === 'channel.watchers' && e.cid === room && e.watcher_count === n;
      await alice.waitFor(watchersAre(3));
      carol.close();
      await alice.waitFor(watchersAre(2));
      await bob.waitFor(watchersAre(2));
      alice.close();
      bob.close();
    });

    it('presence: a connection on one node shows online on the others; offline after the grace, with no flap on a reconnect elsewhere', async () => {
      const carol = await t.connect(node3, 'carol');
      const bob = await t.connect(node1, 'bob');

      const dave = await t.connect(node2, 'dave');
      for (const observer of [carol, bob]) await observer.waitFor(presenceOf('dave', true));

      // Gone from node 2 and back on node 1 within the grace: nobody sees dave go offline.
      dave.close();
      await closed(dave);
      await sleep(200); // node 2 has seen the socket go and started the grace
      const daveAgain = await t.connect(node1, 'dave');
      await sleep(PRESENCE_GRACE_MS + 4 * HEARTBEAT_MS);
      for (const observer of [carol, bob])
        expect(observer.events.filter(presenceOf('dave', false))).toEqual([]);

      // Gone for good: offline, but not before the grace.
      const leftAt = Date.now();
      daveAgain.close();
      const offline = await carol.waitFor<PresenceEvent>(presenceOf('dave', false));
      expect(Date.now() - leftAt).toBeGreaterThanOrEqual(PRESENCE_GRACE_MS - 20);
      expect(offline.user).toMatchObject({ id: 'dave', online: false });
      await bob.waitFor(presenceOf('dave', false));
      // Announced once, by one node, not once per node.
      await sleep(2 * HEARTBEAT_MS);
      for (const observer of [carol, bob])
        expect(observer.events.filter(presenceOf('dave', false))).toHaveLength(1);
      carol.close();
      bob.close();
    });

    it('a node killed outright: its clients recover every message exactly once on the other nodes', async () => {
      const outage = await createChannel(await t.rest(node2, 'alice'), 'outage', [
        'bob',
        'carol',
        'erin',
        'frank',
      ]);
      // alice sends through node 1 all along; bob on node 2 never loses his socket; carol and erin
      // are on node 3 and come back on nodes 1 and 2; frank is on node 3 only and never returns.
      const alice = await t.connect(node1, 'alice');
      const bob = await t.connect(node2, 'bob');
      const carol = await t.connect(node3, 'carol');
      const erin = await t.connect(node3, 'erin');
      const frank = await t.connect(node3, 'frank');
      await bob.waitFor(presenceOf('frank', true));
      const feeds = {
        alice: new ChannelFeed(outage),
        bob: new ChannelFeed(outage),
        carol: new ChannelFeed(outage),
        erin: new ChannelFeed(outage),
      };
      await Promise.all([
        feeds.alice.follow(alice),
        feeds.bob.follow(bob),
        feeds.carol.follow(carol),
        feeds.erin.follow(erin),
      ]);

      const acked = new Map<string, Message>();
      let killNow!: () => void;
      const killSignal = new Promise<void>((resolve) => {
        killNow = resolve;
      });

      const aliceSends = (async () => {
        for (let i = 0; i < 40; i++) {
          const { message } = await alice.ok<{ message: Message }>(sendFrame(outage, `alice ${i}`));
          acked.set(message.id, message);
          if (i === 9) killNow();
          await sleep(25);
        }
      })();

      // erin sends from node 3 too; when it dies under her, she resends what was unanswered, with
      // the same client_msg_id, through node 2: it must be stored once whatever happened to it.
      let erinRetries = 0;
      const erinSends = (async () => {
        let socket = erin;
        for (let i = 0; i < 25; ) {
          const reply = await requestOrClosed(socket, sendFrame(outage, `erin ${i}`, `erin-${i}`));
          if (reply === 'closed') {
            erinRetries++;
            expect(erinRetries, 'erin lost her socket more than once').toBe(1);
            socket = await t.connect(node2, 'erin');
            await feeds.erin.follow(socket);
            continue;
          }
          if (reply.type === 'error') throw new Error(`erin's send failed: ${JSON.stringify(reply.error)}`);
          const { message } = reply.result as { message: Message };
          acked.set(message.id, message);
          i++;
          await sleep(40);
        }
      })();

      await Promise.race([
        killSignal,
        aliceSends.then(() => {
          throw new Error('alice finished before the kill');
        }),
      ]);
      const bobEventsBeforeKill = bob.events.length;
      await crash(node3);

      // carol sees the socket drop (no close frame: 1006) and, after a backoff during which
      // messages keep coming, comes back on node 1.
      expect(await closed(carol)).toBe(1006);
      expect(await closed(frank)).toBe(1006);
      await sleep(200);
      await feeds.carol.follow(await t.connect(node1, 'carol'));

      // frank's presence entries expire with no node left to refresh them: offline for everyone.
      // (No lower bound: a node busy before it died may have refreshed them last a while ago.)
      await bob.waitFor(presenceOf('frank', false), PRESENCE_TTL_MS + 10 * HEARTBEAT_MS + 5_000);

      await Promise.all([aliceSends, erinSends]);
      expect(erinRetries).toBe(1);

      const stored = await storedMessages(t.app.id, outage);
      // Everything acked is stored, once; nothing unacked is (erin's resend did not duplicate).
      expect(stored.map((m) => m.id).sort()).toEqual([...acked.keys()].sort());
      expect(new Set(stored.map((m) => m.client_msg_id)).size).toBe(stored.length);
      expect(stored).toHaveLength(65);
      const lastSeq = Math.max(...stored.map((m) => Number(m.seq)));

      for (const [name, feed] of Object.entries(feeds)) {
        await feed.settled(lastSeq);
        expect(
          feed.messages.map((m) => m.id),
          `${name} holds every message once, in seq order`,
        ).toEqual(stored.map((m) => m.id));
      }
      // The ones who lost their socket did recover through `since`, not a reload.
      expect(feeds.carol.replayed).toBeGreaterThan(0);
      console.info(
        `multi-node outage: ${stored.length} messages; ${Object.entries(feeds)
          .map(
            ([name, f]) =>
              `${name}: ${f.replayed} replayed, ${f.duplicates} duplicates dropped, ${f.gapResyncs} gap resyncs`,
          )
          .join('; ')}`,
      );

      // carol and erin came back before their entries expired: they never went offline.
      await sleep(2 * HEARTBEAT_MS);
      const bobSince = bob.events.slice(bobEventsBeforeKill);
      expect(bobSince.filter((e) => presenceOf('carol', false)(e) || presenceOf('erin', false)(e))).toEqual(
        [],
      );
      const online = await store.db
        .selectFrom('app_users')
        .select(['external_id', 'is_online'])
        .where('app_id', '=', t.app.id)
        .where('external_id', 'in', ['carol', 'erin', 'frank'])
        .orderBy('external_id')
        .execute();
      expect(online).toEqual([
        { external_id: 'carol', is_online: true },
        { external_id: 'erin', is_online: true },
        { external_id: 'frank', is_online: false },
      ]);
    }, 60_000);
  });

  describe('roles: 2 realtime + 1 api + 2 worker processes', () => {
    it('REST only on the api node, sockets only on the realtime nodes, events cross, jobs run on the workers', async () => {
      const [api] = await startNodes(['api'], { CHAT_ROLE: 'api' });
      const [rt1, rt2, w1, w2] = await Promise.all([
        startNodes(['rt1'], { CHAT_ROLE: 'realtime' }).then(([n]) => n),
        startNodes(['rt2'], { CHAT_ROLE: 'realtime' }).then(([n]) => n),
        startNodes(['worker1'], { CHAT_ROLE: 'worker' }).then(([n]) => n),
        startNodes(['worker2'], { CHAT_ROLE: 'worker' }).then(([n]) => n),
      ]);
      const t = await newApp(api, ['ivy', 'jack']);
      const ivyRest = await t.rest(api, 'ivy');
      const cid = await createChannel(ivyRest, 'roles', ['jack']);

      // Each process answers only for what its role serves; all of them answer health checks.
      for (const node of [rt1, w1]) {
        expect((await (await t.rest(node, 'ivy')).get('/v1/channels/messaging/roles')).status).toBe(404);
      }
      for (const node of [api, rt1, rt2, w1, w2]) {
        expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
      }
      await expect(t.connect(api, 'ivy')).rejects.toThrow();
      await expect(t.connect(w2, 'ivy')).rejects.toThrow();

      // A message sent over REST on the api node reaches sockets on both realtime nodes, and one
      // sent on a realtime node reaches the other.
      const ivy = await t.connect(rt1, 'ivy');
      const jack = await t.connect(rt2, 'jack');
      for (const client of [ivy, jack]) await client.ok({ type: 'channel.watch', cid });
      const sent = await ivyRest.post('/v1/channels/messaging/roles/messages', {
        client_msg_id: randomUUID(),
        text: 'from the api node',
      });
      expect(sent.status).toBe(201);
      for (const client of [ivy, jack]) {
        await client.waitFor((e) => e.type === 'message.new' && e.message.id === sent.body.message.id);
      }
      const { message } = await jack.ok<{ message: Message }>(sendFrame(cid, 'from realtime node 2'));
      await ivy.waitFor((e) => e.type === 'message.new' && e.message.id === message.id);

      // A webhook endpoint and a before-send hook set up on the api node: a message sent on a
      // realtime node is checked by the hook there, and delivered once by one of the workers.
      const receiver = new Receiver();
      await receiver.start();
      try {
        receiver.answer = (request) =>
          request.path === '/before-send'
            ? {
                status: 200,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ action: 'rewrite', text: 'checked by the hook' }),
              }
            : { status: 204 };
        const backend = await t.backend(api);
        const hooked = await backend.put('/v1/hooks/before-send', {
          url: receiver.url.replace('/hooks', '/before-send'),
        });
        expect(hooked.status).toBe(200);
        const created = await backend.post('/v1/webhooks', {
          name: 'roles',
          url: receiver.url,
          events: ['message.new'],
        });
        expect(created.status).toBe(201);
        const checked = await ivy.ok<{ message: Message }>(sendFrame(cid, 'sent on realtime node 1'));
        expect(checked.message.text).toBe('checked by the hook');
        await expect
          .poll(() => receiver.at('/hooks').filter((r) => r.body.includes(checked.message.id)).length, {
            timeout: 20_000,
          })
          .toBe(1);
        await sleep(1_000);
        expect(receiver.at('/hooks').filter((r) => r.body.includes(checked.message.id))).toHaveLength(1);
      } finally {
        await receiver.close();
      }

      // The workers scheduled the retention jobs and work them: a pass queued from outside runs
      // once, on one of them.
      const jobs = await startJobQueue({
        store,
        schema: `${schema}_jobs`,
        logger: createLogger({ level: 'silent' }),
      });
      try {
        const schedules = await jobs.getSchedules();
        expect(schedules.map((s) => s.name).sort()).toEqual(
          [...RETENTION_JOBS.map((j) => j.name), UPLOAD_SWEEP_QUEUE].sort(),
        );
        const id = await jobs.send('retention-refresh-tokens', {});
        await expect
          .poll(async () => (await jobs.getJobById('retention-refresh-tokens', id!))?.state, {
            timeout: 20_000,
          })
          .toBe('completed');
      } finally {
        await stopJobQueue(jobs, 1_000);
      }
      for (const client of [ivy, jack]) client.close();
    }, 90_000);
  });

  describe('the write budget', () => {
    it('is one budget per user across nodes', async () => {
      const [a, b] = await startNodes(['budget1', 'budget2'], {
        CHAT_WS_WRITES_PER_WINDOW: '6',
        CHAT_WS_WRITES_WINDOW_S: '60',
      });
      const t = await newApp(a, ['gina', 'hank']);
      const cid = await createChannel(await t.rest(a, 'gina'), 'budget', ['hank']);
      const onA = await t.connect(a, 'gina');
      const onB = await t.connect(b, 'gina');
      const hank = await t.connect(b, 'hank');

      for (let i = 0; i < 3; i++) await onA.ok(sendFrame(cid, `a${i}`));
      for (let i = 0; i < 2; i++) await onB.ok(sendFrame(cid, `b${i}`));
      // Six spent: the channel's creation over REST, three sends on one node and two on the
      // other. The seventh is refused on either.
      for (const socket of [onB, onA]) {
        const reply = await socket.request(sendFrame(cid, 'one too many'));
        if (reply.type !== 'error') throw new Error(`a seventh write was accepted: ${JSON.stringify(reply)}`);
        expect(reply.error.code).toBe('rate_limited');
        expect(reply.error.details?.retry_after_ms).toBeGreaterThan(0);
      }
      // Another user's budget is untouched.
      await hank.ok(sendFrame(cid, 'mine is fresh'));

      const stored = await storedMessages(t.app.id, cid);
      expect(stored).toHaveLength(6);
    }, 60_000);
  });
});
