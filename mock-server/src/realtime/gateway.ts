import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, type ErrorBody, LIMITS, makeError, parseClientFrame } from '@chat/protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Envelope } from '../bus/envelope';
import type { VerifyOptions } from '../domain/auth/index';
import { type MediaUrls, withMediaUrls } from '../domain/media-urls';
import type { BeforeSendHooks } from '../domain/messages/before-send';
import type { ContentFilters } from '../domain/messages/content-filter';
import { findApp } from '../domain/users/app-lookup';
import type { Publish } from '../events/published-event';
import { failureBody, logFailure } from '../kernel/dependency-failure';
import { failureLevel } from '../kernel/dependency-status';
import { ChatError } from '../kernel/errors';
import type { WriteBudget } from '../limits/write-budget';
import type { Metrics } from '../observability/metrics';
import type { Tracing } from '../observability/tracing';
import { type DataAccess, perApp } from '../store/data-access';
import type { AppRow } from '../store/schema';
import { AdmissionGate } from './admission-gate';
import { type AuthenticateContext, authenticateSocket } from './authenticate-socket';
import { catchUpWatchedChannels } from './catch-up';
import { Connection, type ConnectionLimits, connectionOf, GatewaySocket } from './connection';
import { type FanOutContext, fanOut } from './fanout';
import { type FrameContext, handleFrame, type TypingInfo } from './frame-handlers';
import { MemberDirectory } from './member-directory';
import { originAllowed } from './origin';
import type { PresenceService } from './presence';
import type { PresenceStore } from './presence-store';
import { Registry } from './registry';
import { encodeTextFrame } from './text-frame';
import { TrailingEventSweep } from './trailing-sweep';
import { publishTransient, publishTyping } from './transient-events';
import { TypingTracker } from './typing';
import { WatcherCounter } from './watcher-count';
import type { WatcherStore } from './watcher-store';

export interface GatewayOptions extends ConnectionLimits {
  data: DataAccess;
  /** Where the time to answer each frame goes (observability/metrics.ts). */
  metrics?: Pick<Metrics, 'frameAnswered'>;
  /** A span per frame when tracing is on (observability/tracing.ts). */
  tracing?: Tracing;
  /** Signs the uploaded files of the messages a socket is sent (domain/media-urls.ts). */
  media: MediaUrls;
  publish: Publish;
  /** Applications' before-send hooks, asked before a message sent on a socket is stored. */
  beforeSend?: BeforeSendHooks;
  /** Applications' blocklists, asked about each message sent or edited on a socket. */
  contentFilters?: ContentFilters;
  logger: Logger;
  presence: PresenceService;
  presenceStore: PresenceStore;
  writes: WriteBudget;
  production: boolean;
  authTimeoutMs: number;
  /** Authentications and watches served at once (see RealtimeConfig). */
  setupConcurrency: number;
  heartbeatIntervalMs: number;
  /** A socket silent (no frame, no pong) for this long is dropped. */
  heartbeatTimeoutMs: number;
  maxConnectionsPerUser: number;
  typingTimeoutMs: number;
  typingThrottleMs: number;
  watcherStore: WatcherStore;
  /** How socket tokens are verified (the longest lifetime accepted). */
  tokens: VerifyOptions;
  /** Watcher count changes of a channel are announced at most once per this long. */
  watchersThrottleMs: number;
  /** How often this node looks for committed events that never reached it (0: never). */
  trailingSweepMs: number;
}

/**
 * The WebSocket half of the server (`GET /v1/ws?api_key=…`): authenticates each socket with its
 * first frame, serves request frames with the domain code the REST routes use, and delivers
 * events from the bus to the sockets allowed to see them.
 */
export class Gateway {
  readonly registry: Registry;
  private readonly watchers: WatcherCounter;
  private readonly pending = new Set<Connection>();
  // No compression: frames built once are written straight to sockets (Connection.sendFrameBytes).
  // No client tracking: the registry and `pending` know every socket (a second set and a close
  // listener per socket would be memory for nothing).
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    WebSocket: GatewaySocket,
  });
  private readonly typing: TypingTracker<TypingInfo>;
  private readonly frameContext: FrameContext;
  private readonly authContext: AuthenticateContext;
  /** What publishing typing and watcher-count events needs (transient-events.ts). */
  private readonly transientDeps: Parameters<typeof publishTransient>[0];
  private readonly fanOutContext: FanOutContext;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Authentications and watches: the database work of (re)connecting, metered. */
  private readonly setup: AdmissionGate;
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly trailing: TrailingEventSweep;
  private draining = false;

  /** Sockets open here: authenticated ones and those still to authenticate. */
  get connectionCount(): number {
    return this.registry.all.size + this.pending.size;
  }

  constructor(private readonly options: GatewayOptions) {
    // Each application's frames run over its data only.
    const depsFor = perApp((appId) => ({
      db: options.data.forApp(appId),
      publish: options.publish,
      ...(options.beforeSend && { beforeSend: options.beforeSend }),
      ...(options.contentFilters && { contentFilters: options.contentFilters }),
    }));
    this.setup = new AdmissionGate(options.setupConcurrency);
    this.watchers = new WatcherCounter(options.watcherStore, {
      throttleMs: options.watchersThrottleMs,
      logger: options.logger,
      // Returned, so a failure (the seq's read with the database down) is logged, not unhandled.
      announce: (channel, count) =>
        publishTransient(this.transientDeps, channel, (base) => ({
          ...base,
          type: 'channel.watchers',
          watcher_count: count,
        })),
    });
    this.registry = new Registry({
      started: (conn, channelId, cid) => {
        if (conn.actor?.userId)
          this.watchers.watched({ appId: conn.actor.appId, channelId, cid }, conn.actor.userId);
      },
      stopped: (conn, channelId) => {
        if (conn.actor?.userId) this.watchers.unwatched(channelId, conn.actor.userId);
      },
    });
    this.trailing = new TrailingEventSweep(options.data, this.registry, (envelope) => this.deliver(envelope));
    this.transientDeps = { data: options.data, publish: options.publish, registry: this.registry };
    this.typing = new TypingTracker<TypingInfo>({
      throttleMs: options.typingThrottleMs,
      timeoutMs: options.typingTimeoutMs,
      onExpire: (info) =>
        void publishTyping(this.transientDeps, info, 'typing.stop').catch((error) =>
          options.logger[failureLevel('warn')]({ err: error }, 'typing stop failed'),
        ),
    });
    this.fanOutContext = {
      data: options.data,
      registry: this.registry,
      directory: new MemberDirectory(options.data),
      logger: options.logger,
    };
    this.authContext = {
      depsFor,
      platform: options.data.platform,
      presence: options.presence,
      maxConnectionsPerUser: options.maxConnectionsPerUser,
      tokens: options.tokens,
      admit: (conn) => {
        this.pending.delete(conn);
        this.registry.add(conn);
      },
    };
    this.frameContext = {
      depsFor,
      registry: this.registry,
      typing: this.typing,
      writes: options.writes,
      publishTyping: (info, type) => publishTyping(this.transientDeps, info, type),
      watcherCount: (channelId) => this.watchers.count(channelId),
    };
  }

  attach(server: Server): void {
    server.on('upgrade', (request, socket, head) => {
      this.upgrade(request, socket, head).catch((error) => {
        this.options.logger[failureLevel('warn')]({ err: error }, 'upgrade failed');
        reject(socket, 500, 'Internal Server Error');
      });
    });
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
    if (this.options.trailingSweepMs > 0) {
      this.sweeper = setInterval(() => this.sweepTrailing(), this.options.trailingSweepMs);
      this.sweeper.unref();
    }
  }

  /** Delivers events committed but never published (realtime/trailing-sweep.ts). */
  private sweepTrailing(): void {
    this.track(
      this.trailing
        .sweep()
        .then((delivered) => {
          if (delivered > 0)
            this.options.logger.warn({ delivered }, 'delivered channel events that were never published');
        })
        .catch((error) =>
          this.options.logger[failureLevel('warn')]({ err: error }, 'trailing event sweep failed'),
        ),
    );
  }

  /** An event from the bus, for this node's sockets. */
  deliver(envelope: Envelope): void {
    fanOut(this.fanOutContext, envelope);
  }

  /**
   * The bus subscription is back after an outage: delivers what this node's watchers missed
   * meanwhile (realtime/catch-up.ts).
   */
  async catchUp(): Promise<number> {
    return withMediaUrls(this.options.media, () =>
      catchUpWatchedChannels(this.options.data, this.registry, (envelope) => this.deliver(envelope)),
    );
  }

  /** Redis is unreachable: presence changes from now on are announced again by `repairPresence`. */
  presenceDegraded(): void {
    this.options.presence.degrade();
  }

  /**
   * Redis is back (perhaps empty): puts this node's connections and watchers back in it, finishes
   * the presence changes that failed, and announces presence and watcher counts again.
   */
  async repairPresence(): Promise<void> {
    await this.options.presenceStore.refresh(this.liveConnections());
    await Promise.all([this.options.presence.repair(), this.watchers.repair()]);
  }

  private liveConnections() {
    return [...this.registry.all]
      .filter((c) => c.actor?.userId)
      .map((c) => ({ appId: c.actor!.appId, userId: c.actor!.userId!, connectionId: c.id }));
  }

  /**
   * Graceful shutdown: refuse new sockets, let in-flight requests finish (so their acks go out),
   * then close every socket with "service restart" so clients reconnect to another node.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.draining = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    const deadline = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    for (const conn of [...this.registry.all, ...this.pending])
      conn.close(CLOSE_CODES.SERVICE_RESTART, 'service restart');
    // The sockets' close handlers remove their presence and watches from the shared stores (Redis,
    // closed after this): wait for them, up to the 2 s a closing socket is given before it is cut.
    const closed = new Promise((resolve) => setTimeout(resolve, 2_500).unref());
    while (this.registry.all.size + this.pending.size > 0) {
      const waited = await Promise.race([closed.then(() => 'late'), sleep(20)]);
      if (waited === 'late') break;
    }
    await Promise.race([Promise.allSettled([...this.inFlight]), closed]);
    this.typing.close();
    this.watchers.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Until `ws` takes the socket over, nothing listens for its errors: a client that resets the
    // connection while the app is looked up would otherwise crash the process.
    socket.on('error', destroyQuietly);
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1/ws') return reject(socket, 404, 'Not Found');
    if (this.draining) return reject(socket, 503, 'Service Unavailable');
    const apiKey = url.searchParams.get('api_key') ?? (request.headers['x-api-key'] as string | undefined);
    if (!apiKey || apiKey.length > 256) return reject(socket, 401, 'Unauthorized');
    const app = await findApp(this.options.data.platform, apiKey);
    if (!app) return reject(socket, 401, 'Unauthorized');
    if (!originAllowed(request.headers.origin, app.allowed_origins, this.options.production)) {
      return reject(socket, 403, 'Forbidden');
    }
    // Told over the socket, not as a refused upgrade: a browser cannot read an upgrade's answer,
    // and would retry forever; a terminal close code stops the SDK's reconnecting.
    if (!app.is_active) return this.wss.handleUpgrade(request, socket, head, refuseDisabledApp);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket, app));
  }

  private accept(ws: GatewaySocket, socket: Duplex, app: AppRow): void {
    const conn = new Connection(ws, socket, app, this.options);
    ws.conn = conn;
    this.pending.add(conn);
    conn.startAuthDeadline(this.options.authTimeoutMs, authTimedOut);
    // The same handlers for every socket (`this` is the socket): no closures per socket.
    ws.on('message', this.socketHandlers.message);
    ws.on('pong', onPong);
    ws.on('error', this.socketHandlers.error);
    ws.on('close', this.socketHandlers.close);
  }

  /** Event handlers shared by every socket: `this` is the socket, which knows its Connection. */
  private readonly socketHandlers = Gateway.socketHandlers(this);

  private static socketHandlers(gateway: Gateway) {
    return {
      message(this: WebSocket, data: Buffer, isBinary: boolean): void {
        const conn = connectionOf(this);
        if (conn) gateway.received(conn, data, isBinary);
      },
      error(this: WebSocket, error: Error): void {
        gateway.options.logger.debug({ err: error }, 'socket error');
      },
      close(this: WebSocket): void {
        const conn = connectionOf(this);
        if (conn) gateway.socketClosed(conn);
      },
    };
  }

  private received(conn: Connection, data: Buffer, isBinary: boolean): void {
    conn.lastSeen = Date.now();
    if (isBinary) {
      // The protocol is JSON text; a binary frame is a client that speaks something else.
      conn.close(CLOSE_CODES.UNSUPPORTED_DATA, 'binary frames are not supported; send JSON text');
      return;
    }
    const frame = data.toString('utf8');
    // Frames that arrive before a drain starts are served, even if they wait in the queue.
    const accepted = !this.draining;
    // One socket's frames are served in the order they were sent (two sends commit in order).
    this.track(
      conn.enqueue(() => withMediaUrls(this.options.media, () => this.onMessage(conn, frame, accepted))),
    );
  }

  private socketClosed(conn: Connection): void {
    conn.clearAuthDeadline();
    conn.closed = true;
    this.pending.delete(conn);
    this.track(this.onClose(conn));
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error) => logFailure(this.options.logger, error, 'socket handler failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async onMessage(conn: Connection, data: string, accepted: boolean): Promise<void> {
    if (conn.closed) return;
    const budget = conn.takeFrame();
    if (!budget.ok) {
      // With the request's id (so the client can fail that request) and when to try again.
      return this.reject(
        conn,
        salvageId(data),
        makeError('rate_limited', 'Too many frames; slow down', { retry_after_ms: budget.retryAfterMs }),
      );
    }
    const parsed = parseClientFrame(data);
    if (!parsed.ok) return this.reject(conn, salvageId(data), parsed.error);
    const frame = parsed.value;
    if (!accepted) {
      // Shutting down: start no new work, whose answer the closing socket could cut off after
      // it ran. The client retries it once reconnected (to another node).
      const error = makeError('unavailable', 'The server is restarting; reconnect and retry');
      return conn.sendFrame({ type: 'error', id: frame.id, error });
    }
    if (frame.type === 'auth') {
      // The client was in time; how long the server then takes (a reconnect storm queues
      // thousands of these at the gate) is not the client's fault.
      conn.clearAuthDeadline();
      if (conn.actor)
        return this.reject(conn, frame.id, makeError('validation_failed', 'Already authenticated'));
      return this.setup
        .run(() => authenticateSocket(this.authContext, conn, frame))
        .catch((error) => {
          // Its deadline is cleared: a socket left unauthenticated now would stay open for good.
          logFailure(this.options.logger, error, 'authentication failed');
          const body = failureBody(error);
          conn.sendFrame({ type: 'error', id: frame.id, error: body });
          // "Try again later" (the client reconnects with backoff) for an outage; a bug is internal.
          conn.close(
            body.code === 'unavailable' ? CLOSE_CODES.TRY_AGAIN_LATER : CLOSE_CODES.INTERNAL_ERROR,
            body.code,
          );
        });
    }
    if (!conn.actor) {
      return this.reject(conn, frame.id, makeError('unauthenticated', 'Send an auth frame first'));
    }
    const started = performance.now();
    const span =
      this.options.tracing?.startServerSpan(`ws ${frame.type}`, { 'chat.frame.type': frame.type }) ?? null;
    const answered = (answer: 'ack' | 'error') => {
      this.options.metrics?.frameAnswered(frame.type, answer, (performance.now() - started) / 1000);
      this.options.tracing?.endSpan(span, { error: answer === 'error' });
    };
    try {
      const actor = conn.actor;
      const result =
        frame.type === 'channel.watch'
          ? await this.setup.run(() => handleFrame(this.frameContext, conn, actor, frame), { first: true })
          : await handleFrame(this.frameContext, conn, actor, frame);
      conn.sendFrame({ type: 'ack', id: frame.id, result });
      answered('ack');
    } catch (error) {
      const body = error instanceof ChatError ? error.body : failureBody(error);
      if (!(error instanceof ChatError))
        logFailure(this.options.logger, error, 'frame failed', { frame: frame.type });
      conn.sendFrame({ type: 'error', id: frame.id, error: body });
      answered('error');
    }
  }

  /** Answers a bad frame; a socket that keeps sending them is closed. */
  private reject(conn: Connection, id: string | undefined, error: ErrorBody): void {
    conn.sendFrame({ type: 'error', ...(id && { id }), error });
    if (!conn.takeInvalidFrame().ok) conn.close(CLOSE_CODES.POLICY_VIOLATION, 'too many invalid frames');
  }

  private async onClose(conn: Connection): Promise<void> {
    const actor = conn.actor;
    this.registry.remove(conn);
    if (!actor?.userId) return;
    if (this.registry.ofUser(actor.userId).size === 0) {
      const stopped = this.typing.stopWhere(
        (info) => info.userId === actor.userId && info.appId === actor.appId,
      );
      for (const info of stopped) await publishTyping(this.transientDeps, info, 'typing.stop');
    }
    await this.options.presence.disconnected(actor.appId, actor.userId, conn.id);
  }

  /** Drops silent sockets and pings the rest. */
  private beat(): void {
    const now = Date.now();
    // One frame for every socket.
    const healthCheck = encodeTextFrame(
      JSON.stringify({ type: 'health.check', created_at: new Date(now).toISOString() }),
    );
    for (const conn of this.registry.all) {
      if (now - conn.lastSeen > this.options.heartbeatTimeoutMs) {
        conn.close(CLOSE_CODES.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        continue;
      }
      conn.sendFrameBytes(healthCheck);
      conn.ws.ping();
    }
    void this.options.presenceStore
      .refresh(this.liveConnections())
      .then(() => Promise.all([this.options.presence.sweep(), this.watchers.refresh()]))
      .catch((error) => this.options.logger[failureLevel('warn')]({ err: error }, 'presence refresh failed'));
  }
}

function onPong(this: WebSocket): void {
  const conn = connectionOf(this);
  if (conn) conn.lastSeen = Date.now();
}

function authTimedOut(conn: Connection): void {
  if (!conn.actor) conn.close(CLOSE_CODES.AUTH_TIMEOUT, 'auth timeout');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function destroyQuietly(this: Duplex): void {
  this.destroy();
}

/** The `id` of a frame that failed validation, so its error can still be matched to it. */
function salvageId(data: string | Uint8Array): string | undefined {
  if (typeof data !== 'string' || data.length > LIMITS.FRAME_BYTES) return undefined;
  try {
    const value = JSON.parse(data) as { id?: unknown };
    return typeof value?.id === 'string' && value.id.length <= 64 ? value.id : undefined;
  } catch {
    return undefined;
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function refuseDisabledApp(ws: WebSocket): void {
  const error = makeError(
    'app_disabled',
    'This application is disabled; its team can enable it in the portal',
  );
  ws.send(JSON.stringify({ type: 'error', error }));
  ws.close(CLOSE_CODES.APP_DISABLED, 'app_disabled');
}
