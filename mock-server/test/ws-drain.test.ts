import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLOSE_CODES } from '@chat/protocol';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { Gateway } from '../src/realtime/gateway';
import { type ChatServer, createChatServer } from '../src/startup/server';
import type { AppRow } from '../src/store/schema';
import { Api, clientId } from './api';
import { getTestStore } from './harness';
import { createChannel } from './rest-helpers';
import { WsClient } from './ws-client';
import { appOn, closeSockets, waitForEvent } from './ws-fixtures';

/**
 * Graceful shutdown: `server.close()` (and SIGTERM in the CLI) refuses new sockets, lets requests
 * already in flight finish so their acks go out, then closes every socket with 1012 (service
 * restart) and stops listening.
 */

const servers: ChatServer[] = [];

async function startServer(): Promise<ChatServer> {
  const server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    logLevel: 'silent',
  });
  servers.push(server);
  return server;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await closeSockets();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** The HTTP status an upgrade is answered with (101 when it opens), or the connection error's code. */
function tryUpgrade(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** What a plain HTTP request gets: its status, or the connection error's code. */
async function tryHttp(url: string): Promise<number | string> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

/** The gateway's hook where each upgraded socket is handed over (private; watched, not changed). */
type GatewayInternals = { accept(ws: WebSocket, app: AppRow): void };

describe('graceful shutdown', () => {
  it('a request in flight when the drain starts is answered, then every socket closes with 1012', async () => {
    const server = await startServer();
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'drain', ['bob']);
    const accept = vi.spyOn(Gateway.prototype as unknown as GatewayInternals, 'accept');

    const sender = await t.connect('alice');
    const serverSide = accept.mock.calls.at(-1)![0];
    const watcher = await t.connect('bob');
    await watcher.ok({ type: 'channel.watch', cid });
    const unauthenticated = await WsClient.open(server.wsUrl, t.app.api_key);

    // The moment the server receives the send (its handler has just started), shutdown begins.
    let closing: Promise<void> | undefined;
    let upgradeDuringDrain: Promise<number | string> | undefined;
    let readyDuringDrain: Promise<number | string> | undefined;
    serverSide.once('message', () => {
      closing = server.close();
      upgradeDuringDrain = tryUpgrade(`${server.wsUrl}?api_key=${t.app.api_key}`);
      readyDuringDrain = tryHttp(`${server.url}/readyz`);
    });
    const clientMsgId = clientId();
    const reply = await sender.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientMsgId, text: 'last words' },
    });
    expect(closing).toBeDefined();
    expect(reply).toMatchObject({ type: 'ack', result: { message: { text: 'last words' } } });
    expect(await sender.waitForClose()).toBe(CLOSE_CODES.SERVICE_RESTART);

    // Everyone else is told to reconnect elsewhere, after what was committed reached them.
    expect(await watcher.waitForClose()).toBe(CLOSE_CODES.SERVICE_RESTART);
    expect(watcher.events.some((e) => e.type === 'message.new' && e.message.text === 'last words')).toBe(
      true,
    );
    expect(await unauthenticated.waitForClose()).toBe(CLOSE_CODES.SERVICE_RESTART);

    // No new sockets meanwhile, and not ready: refused by the gateway, or by a closed port.
    expect([503, 'ECONNREFUSED', 'ECONNRESET']).toContain(await upgradeDuringDrain);
    expect([503, 'ECONNREFUSED', 'ECONNRESET']).toContain(await readyDuringDrain);

    await closing;
    const { db } = await getTestStore();
    const rows = await db
      .selectFrom('messages')
      .select('text')
      .where('client_msg_id', '=', clientMsgId)
      .execute();
    expect(rows).toEqual([{ text: 'last words' }]);

    // Closed: the port no longer accepts anything.
    expect(await tryHttp(`${server.url}/healthz`)).toBe('ECONNREFUSED');
    expect(await tryUpgrade(`${server.wsUrl}?api_key=${t.app.api_key}`)).toBe('ECONNREFUSED');
  });

  it('a request arriving during the drain is refused as unavailable, not run with its answer lost', async () => {
    const server = await startServer();
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'late', ['bob']);
    const { db } = await getTestStore();
    const channel = await db
      .selectFrom('channels')
      .select('id')
      .where('app_id', '=', t.app.id)
      .where('external_id', '=', 'late')
      .executeTakeFirstOrThrow();
    const accept = vi.spyOn(Gateway.prototype as unknown as GatewayInternals, 'accept');
    const first = await t.connect('alice');
    const firstServerSide = accept.mock.calls.at(-1)![0];
    const late = await t.connect('bob');
    const lateServerSide = accept.mock.calls.at(-1)![0];

    // The channel row is locked, so the first send is held in flight for as long as the test wants.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const lock = db.transaction().execute(async (tx) => {
      await tx.selectFrom('channels').select('id').where('id', '=', channel.id).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;

    let closing: Promise<void> | undefined;
    firstServerSide.once('message', () => {
      closing = server.close();
    });
    const lateArrived = new Promise<void>((resolve) => lateServerSide.once('message', () => resolve()));
    const firstReply = first.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'first' },
    });
    while (!closing) await new Promise((resolve) => setTimeout(resolve, 5));

    // Sent once shutdown has begun, while the first send still waits for the database.
    const lateMsgId = clientId();
    const lateReply = late.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: lateMsgId, text: 'late' },
    });
    await lateArrived;
    release();
    await lock;

    expect(await firstReply).toMatchObject({ type: 'ack', result: { message: { text: 'first' } } });
    expect(await lateReply).toMatchObject({ type: 'error', error: { code: 'unavailable', retryable: true } });
    expect(await first.waitForClose()).toBe(CLOSE_CODES.SERVICE_RESTART);
    expect(await late.waitForClose()).toBe(CLOSE_CODES.SERVICE_RESTART);
    await closing;
    // Refused means not done: the client resends it after reconnecting.
    expect(
      await db.selectFrom('messages').select('id').where('client_msg_id', '=', lateMsgId).execute(),
    ).toEqual([]);
  });

  it('close() without sockets stops listening, and closing twice is one close', async () => {
    const server = await startServer();
    expect(await tryHttp(`${server.url}/healthz`)).toBe(200);
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    expect(await tryHttp(`${server.url}/healthz`)).toBe('ECONNREFUSED');
  });
});

describe('chat-server CLI on SIGTERM', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  let child: ChildProcessWithoutNullStreams | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('drains: the socket closes with 1012 and the process exits with 0', async () => {
    child = spawn(process.execPath, [cli], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CHAT_DATA_DIR: 'memory',
        LOG_LEVEL: 'silent',
        DATABASE_URL: '',
        REDIS_URL: '',
        NODE_ENV: 'development',
      },
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${output}`)), 60_000);
      child!.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (listening && output.includes('Demo channel')) {
          clearTimeout(timer);
          resolve(listening[1]!);
        }
      });
      void exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening:\n${output}`));
      });
    });

    const login = await new Api(baseUrl, 'demo').post('/v1/auth/login', {
      username: 'alice',
      password: 'chat-demo',
    });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const wsUrl = `${baseUrl.replace('http', 'ws')}/v1/ws`;
    const client = await WsClient.connect(wsUrl, 'demo', login.body.access_token);
    const watch = await client.ok({ type: 'channel.watch', cid: 'team:general' });
    expect(watch.state.channel.cid).toBe('team:general');
    const sent = await client.ok({
      type: 'message.send',
      cid: 'team:general',
      message: { client_msg_id: clientId(), text: 'before the restart' },
    });
    await waitForEvent(client, 'message.new', (e) => e.message.id === sent.message.id);

    child.kill('SIGTERM');
    expect(await client.waitForClose(30_000)).toBe(CLOSE_CODES.SERVICE_RESTART);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).not.toMatch(/chat-server: |Error/);
  });
});
