import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * This process's Prometheus metrics (served at `/metrics`, http/metrics-route.ts). One registry
 * per server, not prom-client's global one: tests run several servers in one process.
 *
 * No label carries an application, a user or a channel: what an operator graphs is the node's
 * health, with a bounded number of series whatever the traffic, and nothing of a tenant shows.
 */
export interface Metrics {
  readonly registry: Registry;
  /** A socket frame was answered (`ack`) or refused (`error`) after `seconds`. */
  frameAnswered(type: string, answer: 'ack' | 'error', seconds: number): void;
  /** An HTTP request (its route's template, never the path) was answered. */
  requestAnswered(method: string, route: string, status: number, seconds: number): void;
  /** A message was stored by this node (REST or socket). */
  messageCreated(): void;
  /** An event went out to this node's sockets in `seconds` (framing and writes). */
  fannedOut(seconds: number): void;
  /** A webhook delivery attempt ended so. */
  webhookAttempt(outcome: WebhookAttemptOutcome): void;
  /** A push to one device ended so. */
  pushAttempt(provider: string, outcome: PushAttemptOutcome): void;
  /** Where the gauges read from, set by the parts that have them as they start. */
  readFrom(sources: Partial<GaugeSources>): void;
}

export type WebhookAttemptOutcome = 'delivered' | 'failed' | 'retry';
export type PushAttemptOutcome = 'sent' | 'failed' | 'retry' | 'gone';

/** A job queue's counts (pg-boss's): waiting, being worked, failed and kept. */
export interface QueueCounts {
  name: string;
  queued: number;
  active: number;
  failed: number;
}

export interface GaugeSources {
  /** Sockets open on this node, authenticated or not yet. */
  connections(): number;
  /** The database pool (PostgreSQL): its connections, the idle ones, the queries waiting for one. */
  pool(): { total: number; idle: number; waiting: number } | null;
  /** The job queues, read at each scrape (this process works jobs). */
  queues(): Promise<QueueCounts[]>;
}

/** Seconds: from a fast frame (a typing relay) to a slow send on a loaded database. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Fan-out to this node's sockets: microseconds to tens of milliseconds for a large channel. */
const FANOUT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
/** How long a scrape waits for the queue counts before answering without them. */
const QUEUE_READ_TIMEOUT_MS = 2_000;

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Process and runtime: CPU, memory, GC, event-loop lag (nodejs_eventloop_lag_*), handles.
  collectDefaultMetrics({ register: registry });
  let sources: Partial<GaugeSources> = {};

  new Gauge({
    name: 'chat_connections',
    help: 'WebSocket connections open on this node',
    registers: [registry],
    collect() {
      this.set(sources.connections?.() ?? 0);
    },
  });
  new Gauge({
    name: 'chat_db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL; absent on the embedded database)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = sources.pool?.();
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'chat_job_queue_jobs',
    help: "Jobs in this server's queues by state (queued, active, failed and still kept)",
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!sources.queues) return;
      this.reset();
      const counts = await withTimeout(sources.queues(), QUEUE_READ_TIMEOUT_MS).catch(() => null);
      for (const queue of counts ?? []) {
        this.set({ queue: queue.name, state: 'queued' }, queue.queued);
        this.set({ queue: queue.name, state: 'active' }, queue.active);
        this.set({ queue: queue.name, state: 'failed' }, queue.failed);
      }
    },
  });

  const frames = new Histogram({
    name: 'chat_ws_frame_seconds',
    help: 'Time from a socket frame to its answer, by frame type and answer (ack or error)',
    labelNames: ['type', 'answer'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const requests = new Histogram({
    name: 'chat_http_request_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status class',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const messages = new Counter({
    name: 'chat_messages_total',
    help: 'Messages stored by this node',
    registers: [registry],
  });
  const fanout = new Histogram({
    name: 'chat_fanout_seconds',
    help: "Time to write one event to this node's sockets",
    buckets: FANOUT_BUCKETS,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'chat_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed for good, to be retried)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const pushes = new Counter({
    name: 'chat_push_attempts_total',
    help: 'Pushes to one device by provider and outcome (sent, failed, to be retried, device gone)',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });

  return {
    registry,
    frameAnswered: (type, answer, seconds) => frames.observe({ type, answer }, seconds),
    requestAnswered: (method, route, status, seconds) =>
      requests.observe({ method, route, status: `${Math.floor(status / 100)}xx` }, seconds),
    messageCreated: () => messages.inc(),
    fannedOut: (seconds) => fanout.observe(seconds),
    webhookAttempt: (outcome) => webhooks.inc({ outcome }),
    pushAttempt: (provider, outcome) => pushes.inc({ provider, outcome }),
    readFrom(more) {
      sources = { ...sources, ...more };
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
