import {
  ackResults,
  type ChatEvent,
  CLOSE_CODES,
  type ClientFrame,
  chatEvent,
  type ErrorBody,
  type EventOf,
  errorBody,
  makeError,
  parseClientFrame,
} from '@chat/protocol';
import * as channels from './channel-ops';
import { checked } from './checked';
import type { EventSink, KitContext } from './kit-context';
import { channelFor } from './kit-context';
import { KitError } from './kit-error';
import * as messages from './message-ops';
import type { ChannelRecord } from './records';
import { toMessage, toUser, toUserRef, unreadCount } from './views';

/** The part of msw's WebSocket client handle the gateway uses. */
export interface SocketClient {
  readonly url: URL;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
}

interface Connection {
  id: string;
  client: SocketClient;
  userId: string | null;
  watching: Set<string>;
  closed: boolean;
}

type RequestFrame = Exclude<ClientFrame, { type: 'auth' }>;

export interface GatewayOptions {
  apiKey: string;
  /** The user a token speaks for, or a `KitError` (unauthenticated). */
  verifyToken(token: string): string;
  /** A bug of the kit: reported loudly (see chat-testkit.ts). */
  reportBug(error: unknown): void;
}

/**
 * The WebSocket half of the kit: the socket protocol of `@chat/protocol` over msw's `ws` link,
 * like the reference server's gateway (mock-server/src/realtime): `auth` first, then request
 * frames answered by an `ack` or an `error` with the same id, events to the sockets allowed to
 * see them. No heartbeats (`health.check`): tests need no timers.
 */
export class SocketGateway implements EventSink {
  private readonly connections = new Set<Connection>();
  /** Who types where: `cid|user|parent`. */
  private readonly typing = new Set<string>();
  private refusing = false;
  ctx!: KitContext;

  constructor(private readonly options: GatewayOptions) {}

  /** A new socket (from msw's `connection` event). */
  accept(client: SocketClient): void {
    if (this.refusing) {
      client.close(1006, 'refused by @chat/testkit (offline)');
      return;
    }
    if (client.url.searchParams.get('api_key') !== this.options.apiKey) {
      // The server refuses the upgrade with HTTP 401; in a browser, msw cannot: the socket closes as unauthenticated.
      client.close(CLOSE_CODES.UNAUTHENTICATED, 'invalid api_key');
      return;
    }
    const conn: Connection = {
      id: crypto.randomUUID(),
      client,
      userId: null,
      watching: new Set(),
      closed: false,
    };
    this.connections.add(conn);
    client.addEventListener('message', (event) => this.received(conn, event.data));
    client.addEventListener('close', () => this.closed(conn));
  }

  /** Whether `userId` has an authenticated socket open. */
  isOnline(userId: string): boolean {
    for (const conn of this.connections) if (conn.userId === userId) return true;
    return false;
  }

  /** Closes sockets (all, or one user's) as a network failure would: the SDK reconnects and resumes. */
  drop(userId?: string): number {
    let dropped = 0;
    for (const conn of [...this.connections]) {
      if (userId !== undefined && conn.userId !== userId) continue;
      conn.client.close(1006, 'connection dropped by @chat/testkit');
      this.closed(conn);
      dropped++;
    }
    return dropped;
  }

  /** While true, new sockets close at once (1006), as when the network is down. */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  /** Closes every socket (the kit is reset or closed). */
  closeAll(): void {
    for (const conn of [...this.connections]) {
      conn.client.close(CLOSE_CODES.SERVICE_RESTART, 'service restart');
      this.closed(conn);
    }
    this.typing.clear();
  }

  private received(conn: Connection, data: unknown): void {
    if (conn.closed) return;
    if (typeof data !== 'string') {
      this.closeAfterSent(
        conn,
        CLOSE_CODES.UNSUPPORTED_DATA,
        'binary frames are not supported; send JSON text',
      );
      return;
    }
    const parsed = parseClientFrame(data);
    if (!parsed.ok) {
      this.sendError(conn, salvageId(data), parsed.error);
      return;
    }
    const frame = parsed.value;
    try {
      if (frame.type === 'auth') {
        this.authenticate(conn, frame.id, frame.token);
        return;
      }
      if (!conn.userId) throw new KitError('unauthenticated', 'Send an auth frame first');
      const result = checked(
        ackResults[frame.type],
        this.handle(conn, conn.userId, frame),
        `${frame.type} ack`,
      );
      this.sendFrame(conn, { type: 'ack', id: frame.id, result });
    } catch (error) {
      if (error instanceof KitError) this.sendError(conn, frame.id, error.body);
      else {
        this.options.reportBug(error);
        this.sendError(conn, frame.id, makeError('internal', String(error)));
      }
    }
  }

  private authenticate(conn: Connection, id: string, token: string): void {
    if (conn.userId) throw KitError.invalid([], 'Already authenticated');
    let userId: string;
    try {
      userId = this.options.verifyToken(token);
    } catch (error) {
      if (!(error instanceof KitError)) throw error;
      this.sendError(conn, id, error.body);
      this.closeAfterSent(conn, CLOSE_CODES.UNAUTHENTICATED, error.body.code);
      return;
    }
    const cameOnline = !this.isOnline(userId);
    conn.userId = userId;
    const { store } = this.ctx;
    const user = store.users.get(userId)!;
    if (cameOnline) user.last_active_at = this.ctx.now();
    this.sendFrame(conn, {
      type: 'ack',
      id,
      result: checked(ackResults.auth, { connection_id: conn.id }, 'auth ack'),
    });
    this.sendEvent(conn, {
      type: 'connection.ok',
      connection_id: conn.id,
      user: toUser(store, user),
      unread: channels.getUnread(this.ctx, userId),
      created_at: this.ctx.now(),
    });
    if (cameOnline) this.announcePresence(userId);
  }

  /** Serves an authenticated socket's request frame with the kit's operations; returns the ack result. */
  private handle(conn: Connection, userId: string, frame: RequestFrame): unknown {
    const ctx = this.ctx;
    switch (frame.type) {
      case 'ping':
        return {};
      case 'channel.watch': {
        channelFor(ctx, userId, frame.cid, 'read');
        const before = this.watcherCount(frame.cid);
        conn.watching.add(frame.cid);
        const watcherCount = this.watcherCount(frame.cid);
        const result = channels.watchResult(ctx, userId, frame.cid, {
          ...(frame.since !== undefined && { since: frame.since }),
          ...(frame.message_limit !== undefined && { messageLimit: frame.message_limit }),
          watcherCount,
        });
        if (watcherCount !== before) this.announceWatchers(frame.cid);
        return result;
      }
      case 'channel.unwatch': {
        if (!conn.watching.delete(frame.cid)) channelFor(ctx, userId, frame.cid, 'read');
        else this.announceWatchers(frame.cid);
        return {};
      }
      case 'message.send':
        return { message: messages.sendMessage(ctx, userId, frame.cid, frame.message).message };
      case 'message.update':
        return { message: messages.updateMessage(ctx, userId, frame.message_id, frame.message) };
      case 'message.delete':
        return { message: messages.deleteMessage(ctx, userId, frame.message_id) };
      case 'reaction.add':
      case 'reaction.remove':
        return {
          message: messages.setReaction(
            ctx,
            userId,
            frame.message_id,
            frame.reaction_type,
            frame.type === 'reaction.add',
          ),
        };
      case 'read.mark':
        return { read: channels.markRead(ctx, userId, frame.cid, frame.message_id) };
      case 'typing.start':
      case 'typing.stop':
        this.setTyping(userId, frame.cid, frame.parent_id ?? null, frame.type === 'typing.start');
        return {};
    }
  }

  /**
   * Records a typing start or stop and relays it to the channel's other watchers when it changes
   * something (a start while typing, or a stop while not, is quiet). Typing does not expire by
   * itself in the kit: no timers.
   */
  setTyping(userId: string, cid: string, parentId: string | null, typing: boolean): void {
    const { channel } = channelFor(this.ctx, userId, cid, 'write');
    const key = `${cid}|${userId}|${parentId ?? ''}`;
    if (typing === this.typing.has(key)) return;
    if (typing) this.typing.add(key);
    else this.typing.delete(key);
    this.relayTyping(channel, userId, parentId, typing);
  }

  private relayTyping(
    channel: ChannelRecord,
    userId: string,
    parentId: string | null,
    typing: boolean,
  ): void {
    this.toWatchers(
      channel.cid,
      {
        type: typing ? 'typing.start' : 'typing.stop',
        cid: channel.cid,
        seq: channel.seq,
        created_at: this.ctx.now(),
        user: toUserRef(this.ctx.store, userId),
        parent_id: parentId,
      },
      { exceptUser: userId },
    );
  }

  /** Users watching the channel now (a user with two watching sockets counts once). */
  private watcherCount(cid: string): number {
    const users = new Set<string>();
    for (const conn of this.connections) if (conn.userId && conn.watching.has(cid)) users.add(conn.userId);
    return users.size;
  }

  private announceWatchers(cid: string): void {
    const channel = this.ctx.store.channels.get(cid);
    if (!channel) return;
    this.toWatchers(cid, {
      type: 'channel.watchers',
      cid,
      seq: channel.seq,
      created_at: this.ctx.now(),
      watcher_count: this.watcherCount(cid),
    });
  }

  /** Tells the members of the user's channels (not the user) that they came online or went offline. */
  private announcePresence(userId: string): void {
    const others = new Set<string>();
    for (const channel of this.ctx.store.channels.values())
      if (channel.members.has(userId))
        for (const id of channel.members.keys()) if (id !== userId) others.add(id);
    this.toUsers([...others], {
      type: 'user.presence.changed',
      user: toUserRef(this.ctx.store, userId),
      created_at: this.ctx.now(),
    });
  }

  /**
   * Closes the socket once what was sent to it is delivered: msw delivers a frame in a microtask
   * and drops it if the socket is closing by then, while the server's error before a close arrives.
   */
  private closeAfterSent(conn: Connection, code: number, reason: string): void {
    this.closed(conn);
    queueMicrotask(() => conn.client.close(code, reason));
  }

  private closed(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    const { userId } = conn;
    for (const cid of conn.watching) this.announceWatchers(cid);
    if (!userId || this.isOnline(userId)) return;
    // The user's last socket: their typing stops, and they go offline (at once: no grace period).
    for (const key of [...this.typing]) {
      const [cid, who, parent] = key.split('|') as [string, string, string];
      if (who !== userId) continue;
      this.typing.delete(key);
      const channel = this.ctx.store.channels.get(cid);
      if (channel) this.relayTyping(channel, userId, parent || null, false);
    }
    const user = this.ctx.store.users.get(userId);
    if (user) user.last_active_at = this.ctx.now();
    this.announcePresence(userId);
  }

  // EventSink

  toWatchers(cid: string, event: ChatEvent, options: { exceptUser?: string } = {}): void {
    for (const conn of this.connections)
      if (conn.userId && conn.watching.has(cid) && conn.userId !== options.exceptUser)
        this.sendEvent(conn, event);
  }

  toUsers(userIds: readonly string[], event: ChatEvent): void {
    const users = new Set(userIds);
    for (const conn of this.connections)
      if (conn.userId && users.has(conn.userId)) this.sendEvent(conn, event);
  }

  /**
   * Members connected but watching the channel on none of their sockets hear of a new top-level
   * message with their unread counts; the sender's own sockets are told nothing.
   */
  notifyNotWatching(channel: ChannelRecord, event: EventOf<'message.new'>): void {
    if (event.message.parent_id) return;
    const { store } = this.ctx;
    for (const member of channel.members.values()) {
      const sockets = [...this.connections].filter((c) => c.userId === member.user_id);
      if (member.user_id === event.message.user_id || sockets.length === 0) continue;
      if (sockets.some((c) => c.watching.has(channel.cid))) continue;
      const total = channels.getUnread(this.ctx, member.user_id).total_unread_count;
      const notification: EventOf<'notification.message_new'> = {
        type: 'notification.message_new',
        cid: event.cid,
        seq: event.seq,
        created_at: event.created_at,
        message: toMessage(store, store.message(event.message.id)!, null),
        unread_count: unreadCount(store, channel, member),
        total_unread_count: total,
      };
      for (const conn of sockets) this.sendEvent(conn, notification);
    }
  }

  private sendEvent(conn: Connection, event: ChatEvent): void {
    this.sendFrame(conn, checked(chatEvent, event, `${event.type} event`));
  }

  private sendError(conn: Connection, id: string | undefined, error: ErrorBody): void {
    this.sendFrame(conn, {
      type: 'error',
      ...(id && { id }),
      error: checked(errorBody, error, 'error frame'),
    });
  }

  private sendFrame(conn: Connection, frame: unknown): void {
    if (!conn.closed) conn.client.send(JSON.stringify(frame));
  }
}

/** The `id` of a frame that failed validation, so its error can still be matched to it. */
function salvageId(data: string): string | undefined {
  try {
    const value = JSON.parse(data) as { id?: unknown };
    return typeof value?.id === 'string' && value.id.length <= 64 ? value.id : undefined;
  } catch {
    return undefined;
  }
}
