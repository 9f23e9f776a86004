import type { AckResult, ChatEvent, EventOf } from '@chat/protocol';
import type { Environment, TimerHandle } from '../environment';
import { type ChatError, NetworkError } from '../errors';
import { createStore, type ReadableStore } from '../store';
import type { TokenManager } from '../token-manager';
import { decodeFrame, type FrameParser } from '../wire/frame-codec';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { closeAction, type SocketClose } from './close-policy';
import { type ConnectionState, type ConnectionStatus, connectionState, IDLE } from './connection-state';
import { DEFAULT_TIMINGS, type RequestFrame, Socket, type SocketTimings } from './socket';

/** Tuning of the connection; every member has a default. */
export interface ConnectionOptions extends Partial<SocketTimings> {
  backoff?: Partial<BackoffOptions>;
  /** How long `request()` waits for a (re)connection in progress before failing. Default 10 s. */
  waitForConnectionMs?: number;
  /** How raw socket messages become frames; see `FrameParser`. */
  parseFrame?: FrameParser;
}

export interface ConnectionManagerInit extends ConnectionOptions {
  /** The socket URL, api key included. */
  url: string;
  tokens: TokenManager;
  env: Environment;
  /** Every server event of the current socket, in order. */
  onEvent(event: ChatEvent): void;
  /** Each `connection.ok` (first connection and reconnections), before `state` says connected. */
  onOpen?(event: EventOf<'connection.ok'>): void;
}

/** Passed to `onReconnected` listeners, so the channel layer can resume with `since`. */
export interface ReconnectedInfo {
  connectionId: string;
  /** Time from losing the previous connection to this one. */
  downtimeMs: number;
}

/**
 * Keeps one authenticated socket open while wanted: connects, reconnects with jittered backoff
 * (one attempt in flight at a time), waits out offline periods, refreshes an expired token once,
 * and stops for good on terminal close codes. Its `state` store is the connection as one value.
 *
 * Every socket gets a generation number; callbacks of a socket that is no longer the current
 * generation are ignored, so a late event or close from a replaced socket cannot corrupt state.
 */
export class ConnectionManager {
  private readonly store = createStore<ConnectionState>(IDLE);
  /** The connection as one value; see `ConnectionState`. */
  readonly state: ReadableStore<ConnectionState> = this.store;

  private readonly timings: SocketTimings;
  private readonly backoff: BackoffOptions;
  private readonly waitForConnectionMs: number;
  private readonly parseFrame: FrameParser;
  private readonly reconnectedListeners = new Set<(info: ReconnectedInfo) => void>();

  private generation = 0;
  private socket: Socket | undefined;
  /** An attempt is in flight (getting a token, opening, or open); guards single-flight. */
  private active = false;
  private retryTimer: TimerHandle | undefined;
  private wanted = false;
  private everConnected = false;
  private lostAt = 0;
  /** The next attempt must fetch a new token first. */
  private tokenStale = false;
  /** A token was refreshed for an expiry since the last successful connection. */
  private refreshedForExpiry = false;
  private lastToken: string | undefined;
  private stopSignals: (() => void) | undefined;

  constructor(private readonly init: ConnectionManagerInit) {
    this.timings = { ...DEFAULT_TIMINGS, ...definedOnly(init) };
    this.backoff = { ...DEFAULT_BACKOFF, ...init.backoff };
    this.waitForConnectionMs = init.waitForConnectionMs ?? 10_000;
    this.parseFrame = init.parseFrame ?? decodeFrame;
  }

  /**
   * Starts connecting (or joins the connection in progress). Resolves once connected; rejects
   * with the error that stopped it for good, or when `disconnect()` is called first. While the
   * network is down it waits: show `state` rather than blocking a UI on this promise.
   */
  connect(): Promise<void> {
    if (!this.wanted) {
      this.wanted = true;
      this.everConnected = false;
      this.refreshedForExpiry = false;
      this.watchSignals();
      if (this.init.env.online.current()) {
        this.set('connecting', 0);
        this.open();
      } else {
        this.set('offline', 0);
      }
    }
    return this.whenConnected(Number.POSITIVE_INFINITY);
  }

  /** Closes the connection and stops reconnecting. Pending requests fail with a `NetworkError`. */
  disconnect(): void {
    const { status } = this.store.getSnapshot();
    // Nothing to stop; and a stop for good keeps its error visible.
    if (status === 'idle' || status === 'disconnected') return;
    this.stop();
    this.set('disconnected', 0);
  }

  /**
   * Sends a request frame and resolves with its `ack` result. While a (re)connection is in
   * progress it waits up to `waitForConnectionMs`; offline or disconnected it fails at once with
   * a `NetworkError`. A request cut off by a drop is not resent (it may not be idempotent).
   *
   * @example
   * const { message } = await connection.request({ type: 'message.send', cid, message: body });
   */
  async request<F extends RequestFrame>(
    frame: F,
    options: { timeoutMs?: number } = {},
  ): Promise<AckResult<F['type']>> {
    const { status } = this.store.getSnapshot();
    if (status === 'idle' || status === 'disconnected') {
      throw new NetworkError({
        code: 'not_connected',
        retryable: false,
        message: 'Not connected: call connect() first',
      });
    }
    if (status === 'offline') {
      throw new NetworkError({ code: 'not_connected', message: 'Offline: the request was not sent' });
    }
    if (status !== 'connected') await this.whenConnected(this.waitForConnectionMs);
    const socket = this.socket;
    if (!socket) throw new NetworkError({ code: 'not_connected', message: 'The connection dropped' });
    return socket.request(frame, options.timeoutMs);
  }

  /**
   * Calls `listener` each time a connection is re-established after a drop (not on the first
   * connect), after the state is `connected`. The channel layer resumes watched channels here.
   */
  onReconnected(listener: (info: ReconnectedInfo) => void): () => void {
    const entry = (info: ReconnectedInfo) => listener(info);
    this.reconnectedListeners.add(entry);
    return () => this.reconnectedListeners.delete(entry);
  }

  // --- attempts -------------------------------------------------------------------------------

  /** One attempt: a token, then a socket. Callers have already checked single-flight. */
  private open(): void {
    const generation = ++this.generation;
    this.active = true;
    void this.openWithToken(generation);
  }

  private async openWithToken(generation: number): Promise<void> {
    const { tokens } = this.init;
    let token: string;
    try {
      token = this.tokenStale ? await tokens.refresh(this.lastToken) : await tokens.getToken();
    } catch (error) {
      if (generation !== this.generation) return;
      this.active = false;
      const failure = error as ChatError;
      if (failure.retryable) this.retry(failure);
      else this.fail(failure);
      return;
    }
    if (generation !== this.generation) return; // disconnected, offline, or replaced meanwhile
    this.tokenStale = false;
    this.lastToken = token;
    const current = (run: () => void) => {
      if (generation === this.generation) run();
    };
    try {
      this.socket = new Socket({
        ...this.timings,
        url: this.init.url,
        token,
        env: this.init.env,
        parseFrame: this.parseFrame,
        onOpen: (event) => current(() => this.opened(event)),
        onEvent: (event) => current(() => this.init.onEvent(event)),
        onClose: (close) => current(() => this.closed(close)),
      });
    } catch (error) {
      // No WebSocket on this host, or a malformed URL: retrying cannot help.
      this.active = false;
      this.fail(new NetworkError({ retryable: false, message: 'Could not open a WebSocket', cause: error }));
    }
  }

  private opened(event: EventOf<'connection.ok'>): void {
    const wasReconnect = this.everConnected;
    this.everConnected = true;
    this.refreshedForExpiry = false;
    this.init.onOpen?.(event);
    this.set('connected', 0);
    if (!wasReconnect) return;
    const info = { connectionId: event.connection_id, downtimeMs: this.init.env.clock.now() - this.lostAt };
    for (const listener of [...this.reconnectedListeners]) listener(info);
  }

  private closed(close: SocketClose): void {
    this.markLost();
    this.socket = undefined;
    this.active = false;
    if (!this.wanted) return;
    const action = closeAction(close);
    if (action.kind === 'stop') {
      this.fail(action.error);
    } else if (action.kind === 'reconnect') {
      this.retry(action.error);
    } else if (this.refreshedForExpiry) {
      // Expired twice in a row: the provider hands out tokens the server rejects. Stop, no loop.
      this.fail(action.error);
    } else {
      this.refreshedForExpiry = true;
      this.tokenStale = true;
      this.retryNow(action.error);
    }
  }

  /** Schedules the next attempt after a backoff delay, unless one is already on its way. */
  private retry(error?: ChatError): void {
    if (!this.wanted || this.active || this.retryTimer !== undefined) return;
    const attempt = this.store.getSnapshot().attempt + 1;
    if (!this.init.env.online.current()) {
      this.set('offline', attempt - 1, error);
      return;
    }
    this.set('reconnecting', attempt, error);
    const delay = backoffDelay(attempt, this.backoff, this.init.env.random);
    this.retryTimer = this.init.env.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delay);
  }

  /** Makes the next attempt now, skipping any backoff wait; joins an attempt already in flight. */
  private retryNow(error?: ChatError): void {
    if (!this.wanted || this.active) return;
    this.cancelRetryTimer();
    const { attempt, error: previous } = this.store.getSnapshot();
    this.set('reconnecting', attempt + 1, error ?? previous);
    this.open();
  }

  // --- host signals ---------------------------------------------------------------------------

  private watchSignals(): void {
    const { online, visible } = this.init.env;
    const stopOnline = online.subscribe((up) => (up ? this.wentOnline() : this.wentOffline()));
    const stopVisible = visible.subscribe((shown) => shown && this.becameVisible());
    this.stopSignals = () => {
      stopOnline();
      stopVisible();
    };
  }

  private wentOffline(): void {
    if (!this.wanted || this.store.getSnapshot().status === 'offline') return;
    // A socket on a dead network delivers nothing; drop it now and resync once back online.
    this.markLost();
    this.dropSocket();
    this.set('offline', this.store.getSnapshot().attempt);
  }

  private wentOnline(): void {
    const { status, attempt } = this.store.getSnapshot();
    if (!this.wanted || status !== 'offline') return;
    if (this.everConnected || attempt > 0) {
      this.retryNow();
    } else {
      // A cold start without network: nothing failed yet, so this is still the first attempt.
      this.set('connecting', 0);
      this.open();
    }
  }

  private becameVisible(): void {
    if (!this.wanted || this.store.getSnapshot().status === 'offline') return;
    if (this.socket?.isStale()) {
      // Timers stall while a device sleeps: the heartbeat may not have noticed the dead socket.
      this.markLost();
      this.dropSocket();
    }
    // Waiting out a backoff delay: the user is looking now, so try at once.
    if (!this.active) this.retryNow();
  }

  private markLost(): void {
    if (this.store.getSnapshot().status === 'connected') this.lostAt = this.init.env.clock.now();
  }

  // --- teardown -------------------------------------------------------------------------------

  /** Ends the current attempt: bumps the generation so the old socket's callbacks are ignored. */
  private dropSocket(): void {
    this.generation++;
    this.active = false;
    this.cancelRetryTimer();
    this.socket?.close('dropped');
    this.socket = undefined;
  }

  private stop(): void {
    this.wanted = false;
    this.dropSocket();
    this.stopSignals?.();
    this.stopSignals = undefined;
  }

  private fail(error: ChatError): void {
    this.stop();
    this.set('disconnected', 0, error);
  }

  private cancelRetryTimer(): void {
    if (this.retryTimer === undefined) return;
    this.init.env.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private set(status: ConnectionStatus, attempt: number, error?: ChatError): void {
    const current = this.store.getSnapshot();
    if (current.status === status && current.attempt === attempt && current.error === error) return;
    this.store.setState(connectionState(status, attempt, error));
  }

  /** Resolves at the next `connected`; rejects at `disconnected` or after `timeoutMs`. */
  private whenConnected(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const { clock } = this.init.env;
      const settle = (outcome: () => void) => {
        unsubscribe();
        if (timer !== undefined) clock.clearTimeout(timer);
        outcome();
      };
      const check = () => {
        const state = this.store.getSnapshot();
        if (state.status === 'connected') settle(resolve);
        else if (state.status === 'disconnected' || state.status === 'idle') {
          settle(() =>
            reject(
              state.error ??
                new NetworkError({ code: 'not_connected', retryable: false, message: 'Disconnected' }),
            ),
          );
        }
      };
      const unsubscribe = this.store.subscribe(check);
      if (Number.isFinite(timeoutMs)) {
        timer = clock.setTimeout(
          () =>
            settle(() =>
              reject(new NetworkError({ code: 'timeout', message: `Not connected within ${timeoutMs} ms` })),
            ),
          timeoutMs,
        );
      }
      check();
    });
  }
}

/** The timing options the caller actually set, so `undefined` does not override a default. */
function definedOnly(options: Partial<SocketTimings>): Partial<SocketTimings> {
  const result: Partial<SocketTimings> = {};
  for (const key of Object.keys(DEFAULT_TIMINGS) as (keyof SocketTimings)[]) {
    const value = options[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}
