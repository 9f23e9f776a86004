import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, type UserRef } from '@chat/protocol';
import { WebSocket } from 'ws';
import { fullBucket, spendToken, type TakeResult, type TokenBucket } from '../domain/auth/token-bucket';
import type { Actor } from '../kernel/actor';
import type { AppRow } from '../store/schema';
import { encodeTextFrame } from './text-frame';

export interface ConnectionLimits {
  /** Bytes queued for a socket before it counts as a slow consumer and is closed. */
  maxBufferedBytes: number;
  /** Frames a connection may send per `frameWindowMs`. */
  framesPerWindow: number;
  frameWindowMs: number;
  /** Invalid frames tolerated per `frameWindowMs` before the socket is closed. */
  invalidFramesPerWindow: number;
}

/** A watched channel: its cid, and whether this socket may type there (checked at watch time). */
export interface Watch {
  cid: string;
  canType: boolean;
}

const SETTLED: Promise<unknown> = Promise.resolve();

/**
 * The `ws` socket class the gateway's server creates: it points back at its `Connection`, so the
 * event handlers can be the same functions for every socket instead of closures made per socket.
 */
export class GatewaySocket extends WebSocket {
  conn: Connection | undefined = undefined;
}

/** The Connection of a socket the gateway's server created (its event handlers' `this`). */
export function connectionOf(ws: WebSocket): Connection | undefined {
  return (ws as GatewaySocket).conn;
}

/**
 * One client socket: who it is, what it watches, and its own budgets. Ten thousand idle sockets
 * hold ten thousand of these, so what only some sockets need (watches, an exceeded budget, a
 * queue of frames) is made when first needed and dropped when done.
 */
export class Connection {
  readonly id = randomUUID();
  actor: Actor | null = null;
  /** The user as embedded in events, taken at auth. */
  userRef: UserRef | null = null;
  /**
   * External ids of the users this user blocked: their messages are not sent here.
   * Loaded at auth only for a user taking part in some block, then kept by `user.blocked` and
   * `user.unblocked` events (realtime/fanout.ts); undefined for everyone else.
   */
  blocked: Set<string> | undefined = undefined;
  /**
   * The user is shadow-banned: their typing is not relayed, which would tell the others someone
   * writes messages that never come. Read at authentication, then kept by the nodes-only
   * `standing` of a shadow ban or its lifting (realtime/fanout.ts).
   */
  shadowBanned = false;
  lastSeen = Date.now();
  closed = false;
  /** The tail of this socket's frame queue while frames are being served (see `enqueue`). */
  private inbox: Promise<unknown> | undefined = undefined;
  /** Closes the socket unless its auth frame arrives in time (dropped when it does). */
  private authDeadline: NodeJS.Timeout | undefined = undefined;
  private watches: Map<string, Watch> | undefined = undefined;
  private frameBudget: TokenBucket | undefined = undefined;
  private invalidFrameBudget: TokenBucket | undefined = undefined;

  constructor(
    readonly ws: WebSocket,
    /** The upgraded TCP socket under `ws`, for frames built once for many sockets. */
    private readonly socket: Duplex,
    readonly app: AppRow,
    private readonly limits: ConnectionLimits,
  ) {}

  /**
   * The channels this socket watches (internal id → cid), and whether it may type there: both
   * checked once at watch time, so typing needs no database read (a removal or ban unwatches).
   * Made on first use: most idle sockets never watch.
   */
  get watching(): Map<string, Watch> {
    this.watches ??= new Map();
    return this.watches;
  }

  /** Closes the socket with `close` unless `clearAuthDeadline` is called within `ms`. */
  startAuthDeadline(ms: number, expire: (conn: Connection) => void): void {
    this.authDeadline = setTimeout(expire, ms, this);
    this.authDeadline.unref();
  }

  clearAuthDeadline(): void {
    if (this.authDeadline === undefined) return;
    clearTimeout(this.authDeadline);
    this.authDeadline = undefined;
  }

  /**
   * Runs `task` once this socket's earlier frames are served: one socket's frames are served in
   * the order they were sent (two sends commit in order). Resolves or rejects as `task` does.
   */
  enqueue(task: () => Promise<void>): Promise<void> {
    const work = (this.inbox ?? SETTLED).then(task);
    const tail: Promise<void> = work.then(
      () => this.settled(tail),
      () => this.settled(tail),
    );
    this.inbox = tail;
    return work;
  }

  /** An idle socket keeps no promise around. */
  private settled(tail: Promise<void>): void {
    if (this.inbox === tail) this.inbox = undefined;
  }

  /** Spends one of the frames a socket may send per window. */
  takeFrame(now = Date.now()): TakeResult {
    const { framesPerWindow: limit, frameWindowMs } = this.limits;
    this.frameBudget ??= fullBucket(limit, now);
    return spendToken(this.frameBudget, limit, frameWindowMs, now);
  }

  /** Spends one of the invalid frames a socket may send per window. */
  takeInvalidFrame(now = Date.now()): TakeResult {
    const { invalidFramesPerWindow: limit, frameWindowMs } = this.limits;
    this.invalidFrameBudget ??= fullBucket(limit, now);
    return spendToken(this.invalidFrameBudget, limit, frameWindowMs, now);
  }

  get userId(): string | null {
    return this.actor?.userId ?? null;
  }

  /**
   * Sends JSON already serialized, as text or as its UTF-8 bytes (sent as a text frame: bytes
   * encoded once serve every socket). A socket that cannot keep up is closed, not buffered forever.
   */
  send(json: string | Buffer): void {
    // Framed here and written as one buffer: cheaper than `ws.send`'s header-plus-payload writev
    // (about a third of the server's time in the DM benchmark went to the acks' writes).
    if (this.writable()) this.socket.write(encodeTextFrame(json));
  }

  /**
   * Sends a complete WebSocket frame built once for every socket that gets it (text-frame.ts),
   * written straight to the socket. Safe beside `ws`'s own writes because the server does not
   * negotiate compression: `ws` then writes each of its frames synchronously, never queueing,
   * so frames reach the socket in call order. Counted in `bufferedAmount` like any other write.
   */
  sendFrameBytes(frame: Buffer): void {
    if (this.writable()) this.socket.write(frame);
  }

  /** Open and keeping up; a socket whose send buffer overflowed is closed, not buffered forever. */
  private writable(): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
      return false;
    }
    return true;
  }

  sendFrame(frame: unknown): void {
    this.send(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // A peer that never answers the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }
}
