import type { AckResult, ChatEvent, ClientFrame, EventOf } from '@chat/protocol';
import { CLOSE_CODES } from '@chat/protocol/constants';
import type { Environment, TimerHandle, WebSocketLike } from '../environment';
import { type ChatError, NetworkError, toChatError } from '../errors';
import { encodeFrame, type FrameParser } from '../wire/frame-codec';
import type { SocketClose } from './close-policy';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request frame without its `id` (the socket assigns ids). `auth` is the socket's own. */
export type RequestFrame = DistributiveOmit<Exclude<ClientFrame, { type: 'auth' }>, 'id'>;

/** Time limits of one socket. */
export interface SocketTimings {
  /** From opening until `connection.ok`. Default 10 s. */
  connectTimeoutMs: number;
  /** From sending a request frame until its `ack` or `error`. Default 10 s. */
  requestTimeoutMs: number;
  /** After this long without a frame, send a `ping` to ask for a sign of life. Default 30 s. */
  pingIntervalMs: number;
  /**
   * After this long without a frame the connection counts as dead. Default 35 s: the server
   * sends `health.check` every 25 s, so this is one missed beat plus the ping's round trip.
   */
  heartbeatTimeoutMs: number;
}

export const DEFAULT_TIMINGS: SocketTimings = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  heartbeatTimeoutMs: 35_000,
};

export interface SocketOptions extends SocketTimings {
  url: string;
  token: string;
  env: Environment;
  parseFrame: FrameParser;
  /** `connection.ok` arrived: the socket is authenticated. */
  onOpen(event: EventOf<'connection.ok'>): void;
  /** A server event (after `onOpen`). */
  onEvent(event: ChatEvent): void;
  /** The socket ended without `close()` being called. Called at most once. */
  onClose(close: SocketClose): void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: ChatError): void;
  timer: TimerHandle;
}

const noop = () => {};

/**
 * One WebSocket connection, from opening to its end: authenticates with the first frame,
 * matches request frames to their `ack`/`error` by id, dispatches events, and watches the
 * heartbeat. It never reconnects; the `ConnectionManager` makes a new `Socket` for that.
 */
export class Socket {
  private readonly ws: WebSocketLike;
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private authId: string | undefined;
  private open = false;
  private ended = false;
  private lastFrameAt: number;
  private pinged = false;
  private connectTimer: TimerHandle;
  private watchdog: TimerHandle;
  // What the server said before closing (the answer to `auth`, or a connection-level error).
  private cause: ChatError | undefined;

  constructor(private readonly options: SocketOptions) {
    const { env } = options;
    this.lastFrameAt = env.clock.now();
    this.ws = env.createWebSocket(options.url);
    this.ws.onopen = () => this.authenticate();
    this.ws.onmessage = (event) => this.receive(event.data);
    this.ws.onclose = (event) => this.end({ code: event.code, reason: event.reason, error: this.cause });
    // Every error is followed by a close event, which is where it is handled.
    this.ws.onerror = noop;
    this.connectTimer = env.clock.setTimeout(
      () =>
        this.abort({
          code: 1006,
          reason: 'connect timeout',
          error: new NetworkError({
            code: 'timeout',
            message: `Not connected within ${options.connectTimeoutMs} ms`,
            cause: this.cause,
          }),
        }),
      options.connectTimeoutMs,
    );
  }

  /** Whether nothing has arrived for longer than the heartbeat allows (e.g. after a device sleep). */
  isStale(): boolean {
    return this.options.env.clock.now() - this.lastFrameAt >= this.options.heartbeatTimeoutMs;
  }

  /**
   * Sends a request frame and resolves with its `ack` result, or rejects with the server's error
   * (as a `ChatError`), a `NetworkError` on timeout, or when the socket ends first.
   */
  request<F extends RequestFrame>(
    frame: F,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<AckResult<F['type']>> {
    if (!this.open || this.ended) {
      return Promise.reject(new NetworkError({ code: 'not_connected', message: 'The socket is not open' }));
    }
    const id = this.newId();
    let text: string;
    try {
      text = encodeFrame({ ...frame, id } as ClientFrame);
    } catch (error) {
      return Promise.reject(error);
    }
    const { clock } = this.options.env;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        this.pending.delete(id);
        reject(
          new NetworkError({ code: 'timeout', message: `No answer to ${frame.type} within ${timeoutMs} ms` }),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      try {
        this.ws.send(text);
      } catch (error) {
        this.settle(id)?.reject(new NetworkError({ message: 'Sending on the socket failed', cause: error }));
      }
    });
  }

  /** Closes the socket on the client's initiative; `onClose` is not called. */
  close(reason = 'client closed', error?: ChatError): void {
    if (this.ended) return;
    this.finish(error ?? new NetworkError({ code: 'not_connected', message: 'The connection was closed' }));
    this.closeQuietly(reason);
  }

  private newId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  private authenticate(): void {
    this.authId = this.newId();
    try {
      this.ws.send(encodeFrame({ type: 'auth', id: this.authId, token: this.options.token }));
    } catch (error) {
      this.abort({
        code: 1006,
        reason: 'auth frame failed',
        error: new NetworkError({ message: 'Sending the auth frame failed', cause: error }),
      });
    }
  }

  private receive(data: unknown): void {
    if (this.ended) return;
    // Any frame, even one we cannot parse, proves the connection is alive.
    this.lastFrameAt = this.options.env.clock.now();
    this.pinged = false;
    const frame = this.options.parseFrame(data);
    if (!frame) return;
    if (frame.type === 'ack') {
      // The auth ack needs no handling: `connection.ok` follows it with everything we need.
      if (frame.id !== this.authId) this.settle(frame.id)?.resolve(frame.result);
      return;
    }
    if (frame.type === 'error') {
      const error = toChatError(frame.error);
      if (frame.id === undefined || frame.id === this.authId) this.cause = error;
      else this.settle(frame.id)?.reject(error);
      return;
    }
    if (frame.type === 'connection.ok' && !this.open) {
      this.open = true;
      this.options.env.clock.clearTimeout(this.connectTimer);
      this.checkHeartbeat();
      this.options.onOpen(frame);
    }
    if (this.open && !this.ended) this.options.onEvent(frame);
  }

  /**
   * Runs when the connection may have gone quiet: pings once after `pingIntervalMs` of silence,
   * declares it dead after `heartbeatTimeoutMs`. It reschedules itself for the next deadline
   * instead of restarting a timer on every frame, so busy sockets cost no timer churn.
   */
  private checkHeartbeat(): void {
    const { env, pingIntervalMs, heartbeatTimeoutMs } = this.options;
    const idle = env.clock.now() - this.lastFrameAt;
    if (idle >= heartbeatTimeoutMs) {
      this.abort({
        code: CLOSE_CODES.HEARTBEAT_TIMEOUT,
        reason: 'heartbeat timeout',
        error: new NetworkError({ code: 'timeout', message: `Nothing from the server for ${idle} ms` }),
      });
      return;
    }
    if (idle >= pingIntervalMs && !this.pinged) {
      this.pinged = true;
      // Its answer matters only as a frame that resets `lastFrameAt`.
      this.request({ type: 'ping' }).catch(noop);
    }
    const next = (idle < pingIntervalMs ? pingIntervalMs : heartbeatTimeoutMs) - idle;
    this.watchdog = env.clock.setTimeout(() => this.checkHeartbeat(), next);
  }

  private settle(id: string): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined; // timed out already: a late answer is dropped
    this.pending.delete(id);
    this.options.env.clock.clearTimeout(pending.timer);
    return pending;
  }

  /** The socket failed on our side (a timeout): report it as closed, then close it. */
  private abort(close: SocketClose): void {
    if (this.ended) return;
    this.end(close);
    this.closeQuietly(close.reason);
  }

  private end(close: SocketClose): void {
    if (this.ended) return;
    this.finish(new NetworkError({ message: 'The connection closed before an answer', cause: close.error }));
    this.options.onClose(close);
  }

  private finish(error: ChatError): void {
    this.ended = true;
    const { clock } = this.options.env;
    clock.clearTimeout(this.connectTimer);
    clock.clearTimeout(this.watchdog);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    // No-ops rather than null: the `ws` package throws on an 'error' event nobody listens to.
    this.ws.onopen = noop;
    this.ws.onmessage = noop;
    this.ws.onclose = noop;
    this.ws.onerror = noop;
  }

  private closeQuietly(reason: string): void {
    try {
      this.ws.close(1000, reason);
    } catch {
      // Already closed, or closing a socket that never opened: nothing left to release.
    }
  }
}
