import { CLOSE_CODES, LIMITS } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createUserToken } from '../src/domain/auth/index';
import { Connection } from '../src/realtime/connection';
import type { RealtimeConfig } from '../src/startup/config';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { clientId } from './api';
import { getTestStore } from './harness';
import { channelPath, createChannel } from './rest-helpers';
import { WsClient } from './ws-client';
import { appOn, closeSockets, sleep, waitForEvent } from './ws-fixtures';

/**
 * The gateway's budgets and timers, each on a server of its own with small settings: auth
 * timeout, per-user write budget, connections per user, heartbeat, slow consumers.
 */

const servers: ChatServer[] = [];

async function startServer(realtime: Partial<RealtimeConfig>): Promise<ChatServer> {
  const server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    logLevel: 'silent',
    realtime,
  });
  servers.push(server);
  return server;
}

afterEach(closeSockets);

afterAll(async () => {
  await closeSockets();
  await Promise.all(servers.map((server) => server.close()));
});

async function messageCount(appId: string): Promise<number> {
  const { db } = await getTestStore();
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('app_id', '=', appId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('auth timeout', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startServer({ authTimeoutMs: 300 });
  });

  it('a socket that never authenticates is closed with 4003', async () => {
    const t = await appOn(server);
    const client = await WsClient.open(server.wsUrl, t.app.api_key);
    expect(await client.waitForClose()).toBe(CLOSE_CODES.AUTH_TIMEOUT);
    expect(client.frames).toEqual([]);
  });

  it('requests before auth do not keep a socket open past the timeout', async () => {
    const t = await appOn(server);
    const client = await WsClient.open(server.wsUrl, t.app.api_key);
    expect(await client.request({ type: 'ping' })).toMatchObject({ error: { code: 'unauthenticated' } });
    expect(await client.waitForClose()).toBe(CLOSE_CODES.AUTH_TIMEOUT);
  });
});

describe('write budget and connections per user', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startServer({ writes: { points: 3, durationSeconds: 60 }, maxConnectionsPerUser: 2 });
  });

  it('the 4th write of a user is refused rate_limited with retry_after_ms, and nothing is stored', async () => {
    const t = await appOn(server);
    await t.users('alice', 'bob');
    // Created by the app's backend: a user's own REST writes spend the same budget.
    const cid = await createChannel(t.server, 'budget', ['bob'], { created_by_id: 'alice' });
    const a = await t.connect('alice');
    const sent = [];
    for (let i = 0; i < 3; i++)
      sent.push(
        await a.ok({
          type: 'message.send',
          cid,
          message: { client_msg_id: clientId(), text: `message ${i}` },
        }),
      );
    expect(await messageCount(t.app.id)).toBe(3);

    const clientMsgId = clientId();
    const fourth = await a.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientMsgId, text: 'one too many' },
    });
    expect(fourth).toMatchObject({ type: 'error', error: { code: 'rate_limited', retryable: true } });
    if (fourth.type !== 'error') throw new Error('expected an error');
    const retryAfter = fourth.error.details?.retry_after_ms;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60_000);
    expect(await messageCount(t.app.id)).toBe(3);
    const { db } = await getTestStore();
    expect(
      await db.selectFrom('messages').select('id').where('client_msg_id', '=', clientMsgId).execute(),
    ).toEqual([]);

    // Every kind of write spends the same budget…
    const messageId = sent[0].message.id;
    expect(
      await a.request({ type: 'reaction.add', message_id: messageId, reaction_type: 'like' }),
    ).toMatchObject({ error: { code: 'rate_limited' } });
    expect(
      await a.request({ type: 'message.update', message_id: messageId, message: { text: 'edited' } }),
    ).toMatchObject({
      error: { code: 'rate_limited' },
    });
    expect(await a.request({ type: 'message.delete', message_id: messageId })).toMatchObject({
      error: { code: 'rate_limited' },
    });
    expect(
      await db.selectFrom('message_reactions').select('id').where('app_id', '=', t.app.id).execute(),
    ).toEqual([]);
    const stored = await db
      .selectFrom('messages')
      .select(['text', 'is_deleted'])
      .where('id', '=', messageId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ text: 'message 0', is_deleted: false });

    // …across all of the user's sockets, while reads and other users go on.
    const a2 = await t.connect('alice');
    expect(
      await a2.request({
        type: 'message.send',
        cid,
        message: { client_msg_id: clientId(), text: 'other socket' },
      }),
    ).toMatchObject({ error: { code: 'rate_limited' } });
    await a.ok({ type: 'ping' });
    await a.ok({ type: 'channel.watch', cid });
    const b = await t.connect('bob');
    await b.ok({ type: 'message.send', cid, message: { client_msg_id: clientId(), text: 'bob is fine' } });
    expect(await messageCount(t.app.id)).toBe(4);
    expect(a.closeCode).toBeNull();
  });

  it('the third socket of a user is closed with 4009; other users connect', async () => {
    const t = await appOn(server);
    await t.users('alice', 'bob');
    const first = await t.connect('alice');
    const second = await t.connect('alice');

    const third = await WsClient.open(server.wsUrl, t.app.api_key);
    const reply = await third.request({
      type: 'auth',
      token: await createUserToken(t.app.api_secret, 'alice'),
    });
    expect(reply).toMatchObject({ type: 'error', id: '1', error: { code: 'rate_limited' } });
    expect(await third.waitForClose()).toBe(CLOSE_CODES.TOO_MANY_CONNECTIONS);
    expect(third.frames.some((frame) => frame.type === 'connection.ok')).toBe(false);

    const bob = await t.connect('bob');
    await bob.ok({ type: 'ping' });
    await first.ok({ type: 'ping' });
    await second.ok({ type: 'ping' });

    // A slot frees when a socket closes (once the server has seen the close).
    first.close();
    await first.waitForClose();
    let again: WsClient | undefined;
    for (let attempt = 0; !again && attempt < 100; attempt++) {
      try {
        again = await t.connect('alice');
      } catch {
        await sleep(50);
      }
    }
    expect(again).toBeDefined();
    await again!.ok({ type: 'ping' });
  });

  it('sockets of one user authenticating at the same time still get at most the limit', async () => {
    const t = await appOn(server);
    await t.users('carol');
    const token = await createUserToken(t.app.api_secret, 'carol');
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => WsClient.open(server.wsUrl, t.app.api_key)),
    );
    const replies = await Promise.all(clients.map((client) => client.request({ type: 'auth', token })));
    expect(replies.filter((reply) => reply.type === 'ack')).toHaveLength(2);
    const refused = clients.filter((_, i) => replies[i]!.type === 'error');
    expect(refused).toHaveLength(3);
    for (const client of refused) expect(await client.waitForClose()).toBe(CLOSE_CODES.TOO_MANY_CONNECTIONS);
    for (const client of clients) client.close();
  });
});

describe('heartbeat', () => {
  let server: ChatServer;
  const heartbeatTimeoutMs = 1_500;
  beforeAll(async () => {
    server = await startServer({ heartbeatIntervalMs: 100, heartbeatTimeoutMs });
  });

  it('a connected client receives health.check events', async () => {
    const t = await appOn(server);
    const client = await t.connect('alice');
    const check = await waitForEvent(client, 'health.check');
    expect(Date.parse(check.created_at)).not.toBeNaN();
  });

  it('a client that stops answering pings is closed with 4011; one that answers stays', async () => {
    const t = await appOn(server);
    const healthy = await t.connect('bob');

    // `autoPong: false`: this client never answers the server's pings, and sends nothing after auth.
    const silent = new WebSocket(`${server.wsUrl}?api_key=${encodeURIComponent(t.app.api_key)}`, {
      autoPong: false,
    });
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    const frames: { type: string; id?: string }[] = [];
    silent.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString())));
    let pings = 0;
    silent.on('ping', () => pings++);
    await new Promise<void>((resolve, reject) => {
      silent.once('open', () => resolve());
      silent.once('error', reject);
    });
    silent.send(
      JSON.stringify({ type: 'auth', id: 'a', token: await createUserToken(t.app.api_secret, 'alice') }),
    );

    expect(await closed).toBe(CLOSE_CODES.HEARTBEAT_TIMEOUT);
    expect(frames.find((frame) => frame.id === 'a')?.type).toBe('ack');
    expect(frames.some((frame) => frame.type === 'health.check')).toBe(true);
    expect(pings).toBeGreaterThan(0);

    // The client that answered pings all along is still served.
    expect(healthy.closeCode).toBeNull();
    await healthy.ok({ type: 'ping' });
  });
});

describe('slow consumer', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startServer({
      maxBufferedBytes: 1,
      writes: { points: 1_000, durationSeconds: 60 },
      framesPerWindow: 1_000,
    });
  });

  it('a client that stops reading is closed with 4010 instead of being buffered for', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice');
    const cid = await createChannel(alice!, 'big');
    // 20 messages of ~45 KB each: a watch of the channel answers with about a megabyte.
    const url = (i: number, kind: string) =>
      `https://cdn.example/${kind}/${i}/${'p'.repeat(LIMITS.URL_LENGTH - 40)}`;
    const body = () => ({
      client_msg_id: clientId(),
      text: 't'.repeat(LIMITS.MESSAGE_TEXT_LENGTH),
      attachments: Array.from({ length: LIMITS.ATTACHMENTS_PER_MESSAGE }, (_, i) => ({
        type: 'image',
        url: url(i, 'full'),
        thumb_url: url(i, 'thumb'),
      })),
    });
    const seeded = await Promise.all(
      Array.from({ length: 20 }, () => alice!.post(`${channelPath(cid)}/messages`, body())),
    );
    for (const reply of seeded) expect(reply.status, JSON.stringify(reply.body)).toBe(201);

    const client = await t.connect('alice');
    const watch = { type: 'channel.watch' as const, cid, message_limit: 20 };
    // Read normally, such an answer arrives whole.
    const state = await client.ok(watch);
    expect(state.state.messages).toHaveLength(20);
    expect(client.closeCode).toBeNull();

    // Observed inside the server: the moment it gives up on the socket, the client reads again.
    const close = Connection.prototype.close;
    let slow = false;
    const spy = vi.spyOn(Connection.prototype, 'close').mockImplementation(function (
      this: Connection,
      code: number,
      reason: string,
    ) {
      if (code === CLOSE_CODES.SLOW_CONSUMER) slow = true;
      return close.call(this, code, reason);
    });
    try {
      const from = client.frames.length;
      client.ws.pause();
      // Megabytes of answers nobody reads, and cheap requests whose answers find the buffer full.
      let requests = 0;
      for (; !slow && requests < 200; requests += 3) {
        client.sendRaw(JSON.stringify({ ...watch, id: `slow-${requests}` }));
        client.sendRaw(JSON.stringify({ ...watch, id: `slow-${requests + 1}` }));
        client.sendRaw(JSON.stringify({ type: 'ping', id: `ping-${requests + 2}` }));
        for (let wait = 0; !slow && wait < 10; wait++) await sleep(20);
      }
      expect(slow).toBe(true);
      client.ws.resume();
      expect(await client.waitForClose()).toBe(CLOSE_CODES.SLOW_CONSUMER);
      // The server stopped writing to it: answers after the close were never queued.
      const answered = client.frames.slice(from).filter((frame) => frame.type === 'ack').length;
      expect(answered).toBeLessThan(requests);
    } finally {
      spy.mockRestore();
    }
  });
});
