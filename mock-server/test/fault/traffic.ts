import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerNode } from '@chat/fault-kit';
import type { EventOf } from '@chat/protocol';
import type { Kysely } from 'kysely';
import { createServerToken, createUserToken } from '../../src/domain/auth/index';
import type { AppRow, Database } from '../../src/store/schema';
import { Api } from '../api';
import { ChannelFeed } from '../channel-feed';
import { createTestApp } from '../harness';
import { channelPath } from '../rest-helpers';
import { WsClient } from '../ws-client';

/**
 * Chat traffic as real clients make it, for the fault suite: a sender that keeps every message
 * until it is acknowledged (retrying with the same client_msg_id, as the SDK's sync queue does),
 * and receivers that reconnect and resume with `since` (through ChannelFeed) whatever happens to
 * their socket.
 */

export type Message = EventOf<'message.new'>['message'];

/** Every client here gives up after this long, so a server that never recovers fails the test. */
const PATIENCE_MS = 30_000;

/** A new application in `db` with these users and a `messaging` channel of them all. */
export async function chatRoom(db: Kysely<Database>, node: ServerNode, users: readonly string[]) {
  const app = await createTestApp(db);
  return roomOf(app, node, users);
}

/** The same, for an application created already (on PGlite, before its server opened the data). */
export async function roomOf(app: AppRow, node: ServerNode, users: readonly string[]) {
  const server = new Api(node.url, app.api_key, await createServerToken(app.api_secret));
  const upsert = await server.post('/v1/users', { users: users.map((id) => ({ id })) });
  if (upsert.status !== 200) throw new Error(`upsert users failed: ${JSON.stringify(upsert.body)}`);
  const owner = new Api(node.url, app.api_key, await createUserToken(app.api_secret, users[0]!));
  const created = await owner.post('/v1/channels', { type: 'messaging', id: 'steady', members: users });
  if (created.status !== 201) throw new Error(`create channel failed: ${JSON.stringify(created.body)}`);
  const cid: string = created.body.channel.cid;
  /** A REST client of `user` on `on`. */
  const api = async (on: ServerNode, user: string) =>
    new Api(on.url, app.api_key, await createUserToken(app.api_secret, user));
  return {
    app,
    cid,
    api,
    /** A socket of `user` on `node`, authenticated. */
    connect: async (on: ServerNode, user: string) =>
      WsClient.connect(on.wsUrl, app.api_key, await createUserToken(app.api_secret, user)),
    /** Every message of the channel as `user` reads it through the REST API of `on`, oldest first. */
    read: async (on: ServerNode, user: string) => readAll(await api(on, user), cid),
  };
}

/**
 * Reads the channel's latest page over REST again and again, `concurrency` at a time, until
 * stopped: a busy node, which always has queries in flight when its database goes away.
 */
export function pollHistory(api: Api, cid: string, concurrency = 2): { stop(): Promise<void> } {
  let stopping = false;
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopping) {
      // Failures (the database is down) are what a busy node sees; they are not under test here.
      await api.get(`${channelPath(cid)}/messages?limit=25`).catch(() => undefined);
      await sleep(5);
    }
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

export type ChatRoom = Awaited<ReturnType<typeof roomOf>>;

/** Pages back through `GET /v1/channels/{type}/{id}/messages` from the newest message. */
async function readAll(api: Api, cid: string): Promise<Message[]> {
  const pages: Message[][] = [];
  let before: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const query = `?limit=100${before ? `&before=${before}` : ''}`;
    const reply = await api.get(`${channelPath(cid)}/messages${query}`);
    if (reply.status !== 200) throw new Error(`list messages failed: ${JSON.stringify(reply.body)}`);
    const messages: Message[] = reply.body.messages;
    pages.unshift(messages);
    if (!reply.body.has_more || messages.length === 0) break;
    before = messages[0]!.id;
  }
  return pages.flat().sort((a, b) => a.seq - b.seq);
}

/**
 * Connects, retrying (a node whose Redis or database is down refuses) until `PATIENCE_MS`, or
 * until `abandoned` (the test is over).
 */
async function connectPatiently(
  connect: () => Promise<WsClient>,
  who: string,
  abandoned: () => boolean,
): Promise<WsClient> {
  const deadline = Date.now() + PATIENCE_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      const socket = await connect();
      if (abandoned()) socket.close();
      return socket;
    } catch (error) {
      if (abandoned()) throw new Error(`${who} gave up reconnecting: the test is over`);
      if (Date.now() + delay > deadline)
        throw new Error(`${who} could not reconnect within ${PATIENCE_MS} ms`, { cause: error });
      await sleep(delay);
    }
  }
}

type Reply = Awaited<ReturnType<WsClient['request']>>;

/** The reply to `frame`, or why there is none: the socket dropped, or nothing came in time. */
async function attempt(
  socket: WsClient,
  frame: Parameters<WsClient['request']>[0],
  timeoutMs: number,
): Promise<Reply | 'closed' | 'timeout'> {
  if (socket.closeCode !== null || socket.ws.readyState !== socket.ws.OPEN) return 'closed';
  let onClose!: () => void;
  const closed = new Promise<'closed'>((resolve) => {
    onClose = () => resolve('closed');
    socket.ws.once('close', onClose);
  });
  const reply = socket.request(frame, timeoutMs).catch(() => 'timeout' as const);
  try {
    return await Promise.race([reply, closed]);
  } finally {
    socket.ws.off('close', onClose);
  }
}

/** A sent message: what the sender knows of it. */
export interface Sent {
  clientMsgId: string;
  /** The stored message from the ack; unset while unacknowledged. */
  acked?: Message;
  /** Attempts it took (1 when the first was acknowledged). */
  attempts: number;
}

/**
 * Sends one message after another through one node, every `intervalMs`, each kept until it is
 * acknowledged: a failed, unanswered or cut-off send is sent again with the same client_msg_id.
 * Messages go out in order, one at a time, as a client's outbox flushes them.
 */
export class Sender {
  readonly sent: Sent[] = [];
  /** Why an attempt did not end in an ack, counted by reason (error code, closed, timeout). */
  readonly failures = new Map<string, number>();
  reconnects = 0;
  private stopping = false;
  private abandoned = false;
  private failure: Error | undefined;
  private socket: WsClient | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly room: ChatRoom,
    private node: ServerNode,
    private readonly user: string,
    private readonly intervalMs = 75,
  ) {}

  /** Reconnects to `node` from now on (a restarted server listens on a new port). */
  moveTo(node: ServerNode): void {
    this.node = node;
  }

  get acked(): Message[] {
    return this.sent.flatMap((s) => (s.acked ? [s.acked] : []));
  }

  /** Messages that took more than one attempt and were acknowledged. */
  get retried(): number {
    return this.sent.filter((s) => s.acked && s.attempts > 1).length;
  }

  async start(): Promise<void> {
    this.socket = await this.room.connect(this.node, this.user);
    this.loop = this.run();
    // Reported by ackedMore() and stop().
    this.loop.catch((error: Error) => {
      this.failure = error;
    });
  }

  /** Acked messages so far. */
  count(): number {
    return this.sent.filter((s) => s.acked).length;
  }

  /** Resolves once `n` more messages are acknowledged (bounded by PATIENCE_MS). */
  async ackedMore(n: number): Promise<void> {
    const target = this.count() + n;
    const deadline = Date.now() + PATIENCE_MS;
    while (this.count() < target) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline)
        throw new Error(`the sender got ${target - this.count()} of ${n} acks short in ${PATIENCE_MS} ms`);
      await sleep(20);
    }
  }

  /** Sends nothing new; resolves once the message in flight is acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.socket?.close();
  }

  /** Gives up at once (a failed test's cleanup): no more sends, the socket closed. */
  close(): void {
    this.stopping = true;
    this.abandoned = true;
    this.socket?.close();
  }

  private async run(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const message: Sent = { clientMsgId: `fault-${i}-${Date.now()}`, attempts: 0 };
      this.sent.push(message);
      await this.deliver(message, `message ${i}`);
      await sleep(this.intervalMs);
    }
  }

  private async deliver(message: Sent, text: string): Promise<void> {
    const deadline = Date.now() + PATIENCE_MS;
    const frame = {
      type: 'message.send',
      cid: this.room.cid,
      message: { client_msg_id: message.clientMsgId, text },
    } as const;
    for (let delay = 100; !this.abandoned; delay = Math.min(delay * 2, 1_000)) {
      if (Date.now() > deadline)
        throw new Error(`${message.clientMsgId} not acknowledged within ${PATIENCE_MS} ms`);
      message.attempts++;
      const reply = await attempt(this.socket!, frame, 5_000);
      if (reply !== 'closed' && reply !== 'timeout' && reply.type === 'ack') {
        message.acked = (reply.result as { message: Message }).message;
        return;
      }
      const reason = typeof reply === 'string' ? reply : reply.error.code;
      this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
      if (typeof reply !== 'string' && !reply.error.retryable)
        throw new Error(`${message.clientMsgId} refused: ${JSON.stringify(reply.error)}`);
      if (reply === 'closed') {
        this.reconnects++;
        this.socket = await connectPatiently(
          () => this.room.connect(this.node, this.user),
          this.user,
          () => this.abandoned,
        );
        continue;
      }
      // A timed-out send may still be committed: the same client_msg_id makes the retry safe.
      if (reply !== 'timeout') await sleep(delay);
    }
  }
}

/**
 * A member following the channel on one node, as a client does: when its socket drops it
 * reconnects to the same node and resumes with `since` (ChannelFeed), until closed.
 */
export class Receiver {
  readonly feed: ChannelFeed;
  reconnects = 0;
  private socket: WsClient | undefined;
  private closing = false;
  private offlineUntil: Promise<unknown> = Promise.resolve();
  private reconnecting: Promise<void> | undefined;

  constructor(
    private readonly room: ChatRoom,
    readonly node: ServerNode,
    private readonly user: string,
  ) {
    this.feed = new ChannelFeed(room.cid);
  }

  async start(): Promise<void> {
    await this.follow(await this.room.connect(this.node, this.user));
  }

  /**
   * Cuts the socket, as a flaky network does; the receiver reconnects on its own, once
   * `offlineUntil` settles (a client that stays away while the channel moves on).
   */
  drop(offlineUntil: Promise<unknown> = Promise.resolve()): void {
    this.offlineUntil = offlineUntil;
    this.socket?.ws.terminate();
  }

  /** Waits for a reconnect in progress, then holds every event up to `seq`. */
  async settled(seq: number): Promise<void> {
    await this.reconnecting;
    await this.feed.settled(seq, PATIENCE_MS);
  }

  close(): void {
    this.closing = true;
    this.socket?.close();
  }

  private async follow(socket: WsClient): Promise<void> {
    this.socket = socket;
    socket.ws.once('close', () => {
      if (this.closing) return;
      this.reconnecting = this.reconnect();
      // settled() reports a failed reconnect.
      this.reconnecting.catch(() => undefined);
    });
    await this.feed.follow(socket);
  }

  private async reconnect(): Promise<void> {
    this.reconnects++;
    await this.offlineUntil;
    const socket = await connectPatiently(
      () => this.room.connect(this.node, this.user),
      this.user,
      () => this.closing,
    );
    if (!this.closing) await this.follow(socket);
  }
}
