import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, type UserRef } from '@chat/protocol';
import type { WebSocket } from 'ws';
import { createRateLimiter, type RateLimiter } from '../auth';
import type { Actor } from '../domain/actor';
import type { AppRow } from '../store/schema';

export interface ConnectionLimits {
  /** Bytes queued for a socket before it counts as a slow consumer and is closed. */
  maxBufferedBytes: number;
  /** Frames a connection may send per `frameWindowMs`. */
  framesPerWindow: number;
  frameWindowMs: number;
  /** Invalid frames tolerated per `frameWindowMs` before the socket is closed. */
  invalidFramesPerWindow: number;
}

/** Bytes go out as a text frame, like strings do; one options object for every send. */
const TEXT_FRAME = { binary: false } as const;

/** One client socket: who it is, what it watches, and its own budgets. */
export class Connection {
  readonly id = randomUUID();
  actor: Actor | null = null;
  /**
   * The channels this socket watches (internal id → cid), and whether it may type there: both
   * checked once at watch time, so typing needs no database read (a removal or ban unwatches).
   */
  readonly watching = new Map<string, { cid: string; canType: boolean }>();
  /** The user as embedded in events, taken at auth. */
  userRef: UserRef | null = null;
  lastSeen = Date.now();
  /** The tail of this socket's frame queue: frames are served one after another. */
  inbox: Promise<unknown> = Promise.resolve();
  closed = false;
  /** Closes the socket unless its auth frame arrives in time (cleared when it does). */
  authDeadline: NodeJS.Timeout | undefined;
  readonly frames: RateLimiter;
  readonly invalidFrames: RateLimiter;

  constructor(
    readonly ws: WebSocket,
    /** The upgraded TCP socket under `ws`, for frames built once for many sockets. */
    private readonly socket: Duplex,
    readonly app: AppRow,
    private readonly limits: ConnectionLimits,
  ) {
    this.frames = createRateLimiter({
      limit: limits.framesPerWindow,
      windowMs: limits.frameWindowMs,
      maxKeys: 1,
    });
    this.invalidFrames = createRateLimiter({
      limit: limits.invalidFramesPerWindow,
      windowMs: limits.frameWindowMs,
      maxKeys: 1,
    });
  }

  get userId(): string | null {
    return this.actor?.userId ?? null;
  }

  /**
   * Sends JSON already serialized, as text or as its UTF-8 bytes (sent as a text frame: bytes
   * encoded once serve every socket). A socket that cannot keep up is closed, not buffered forever.
   */
  send(json: string | Buffer): void {
    if (this.writable()) this.ws.send(json, TEXT_FRAME);
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
