import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../domain/auth/index';
import { loadTracingConfig, type TracingConfig } from '../observability/tracing';
import type { LinkPreviewConfig } from '../storage/link-previews';
import type { S3StorageConfig } from '../storage/s3-storage';
import { parseRole, type ServerRole } from './roles';

export type { LinkPreviewConfig };

/**
 * Environment → typed configuration. Every value has a default that runs locally with no outside
 * services: embedded PostgreSQL in `.chat-data/`, an in-process bus, files on disk.
 */
export interface ServerConfig {
  /** What this process does (`CHAT_ROLE` or `--role`): everything by default (startup/roles.ts). */
  role: ServerRole;
  port: number;
  host: string;
  /** `production` seeds nothing and refuses demo defaults. */
  production: boolean;
  /** PostgreSQL connection string; unset means embedded PGlite. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use instead of `public` (created if missing), e.g. one per test run. */
  databaseSchema: string | undefined;
  /** PostgreSQL connections per node (`CHAT_DATABASE_POOL_SIZE`); unset means the store's default. */
  databasePoolSize: number | undefined;
  /** PGlite data directory, or `memory`. */
  dataDir: string;
  /** Redis connection string; unset means an in-process bus (single node). */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  logLevel: string;
  /** Seed the demo application (default outside production). */
  seedDemo: boolean;
  /** A built web app served at `/` from the same origin (e.g. the React example). */
  webRoot: string | undefined;
  /**
   * Days the channel event log keeps events for replay (`CHAT_EVENT_LOG_DAYS`); a client away
   * longer resumes with fresh state. Each channel also keeps only its last 1,000 events.
   */
  eventLogDays: number;
  /**
   * The longest lifetime (`exp - iat`) a token may claim, in seconds (`CHAT_MAX_TOKEN_LIFETIME_S`,
   * default one day): tokens minted for longer are refused, so a leaked one cannot live forever.
   */
  maxTokenLifetimeSeconds: number;
  /**
   * The server's own secret (`CHAT_SECRET_KEY`, at least 32 characters, the same on every node):
   * push credentials are sealed at rest with a key derived from it. Unset on the embedded
   * database: a key kept in the data directory.
   */
  secretKey: string | undefined;
  /** S3-compatible object storage (`CHAT_S3_*`); unset means files on disk beside the data. */
  s3: S3StorageConfig | undefined;
  /**
   * The largest `max_bytes` an application may set in its upload policy, in bytes
   * (`CHAT_UPLOAD_MAX_BYTES`, default 5 GiB: the most one S3 upload request takes).
   */
  uploadMaxBytesCeiling: number;
  http: HttpConfig;
  /** OpenTelemetry tracing (`OTEL_EXPORTER_OTLP_ENDPOINT`…); null: off. */
  tracing: TracingConfig | null;
  realtime: RealtimeConfig;
  webhooks: WebhookConfig;
  push: PushConfig;
  linkPreviews: LinkPreviewConfig;
}

/**
 * S3 by configuration: `CHAT_S3_BUCKET` turns it on and then needs `CHAT_S3_REGION`,
 * `CHAT_S3_ACCESS_KEY_ID` and `CHAT_S3_SECRET_ACCESS_KEY`; `CHAT_S3_ENDPOINT` for an S3-compatible
 * service, `CHAT_S3_FORCE_PATH_STYLE=1` for most of them, `CHAT_S3_PUBLIC_ENDPOINT` when browsers
 * reach it at another address than the server does.
 */
export function loadS3Config(env: NodeJS.ProcessEnv): S3StorageConfig | undefined {
  const bucket = env.CHAT_S3_BUCKET;
  if (!bucket) return undefined;
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`CHAT_S3_BUCKET is set, so ${name} must be too`);
    return value;
  };
  const url = (name: string) => {
    const value = env[name];
    if (!value) return undefined;
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const endpoint = url('CHAT_S3_ENDPOINT');
  const publicEndpoint = url('CHAT_S3_PUBLIC_ENDPOINT');
  return {
    bucket,
    region: required('CHAT_S3_REGION'),
    accessKeyId: required('CHAT_S3_ACCESS_KEY_ID'),
    secretAccessKey: required('CHAT_S3_SECRET_ACCESS_KEY'),
    ...(endpoint && { endpoint }),
    ...(publicEndpoint && { publicEndpoint }),
    forcePathStyle: env.CHAT_S3_FORCE_PATH_STYLE === '1' || env.CHAT_S3_FORCE_PATH_STYLE === 'true',
  };
}

/** How pushes are sent (by the worker role). Push services are reached through the webhooks' address guard. */
export interface PushConfig {
  /** One request to a push service, connect to answer (`CHAT_PUSH_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Extra certificate authorities (PEM) to trust for push services, e.g. a proxy's or a test's. */
  ca?: string;
}

export function loadPushConfig(env: NodeJS.ProcessEnv): PushConfig {
  return { timeoutMs: positiveNumber(env, 'CHAT_PUSH_TIMEOUT_MS', 10_000) };
}

/** How webhooks are delivered (by the worker role). */
export interface WebhookConfig {
  /**
   * Address ranges webhooks may reach although they are not public (`CHAT_WEBHOOK_ALLOW_CIDRS`,
   * comma-separated, e.g. `127.0.0.1/32` for a receiver on the same host). Default: none.
   */
  allowCidrs: string[];
  /** One delivery attempt, connect to answer (`CHAT_WEBHOOK_TIMEOUT_MS`). */
  timeoutMs: number;
  /** The first retry's delay; each next one doubles, up to 10 hours (`CHAT_WEBHOOK_RETRY_DELAY_S`). */
  retryDelaySeconds: number;
  /** Attempts after the first (`CHAT_WEBHOOK_RETRY_LIMIT`). */
  retryLimit: number;
  /** Days the delivery log keeps settled deliveries (`CHAT_WEBHOOK_LOG_DAYS`). */
  logDays: number;
}

export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  return {
    allowCidrs: (env.CHAT_WEBHOOK_ALLOW_CIDRS ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    timeoutMs: positiveNumber(env, 'CHAT_WEBHOOK_TIMEOUT_MS', 10_000),
    retryDelaySeconds: positiveNumber(env, 'CHAT_WEBHOOK_RETRY_DELAY_S', 5),
    retryLimit: positiveNumber(env, 'CHAT_WEBHOOK_RETRY_LIMIT', 13),
    logDays: positiveNumber(env, 'CHAT_WEBHOOK_LOG_DAYS', 7),
  };
}

/** How link previews are fetched (by the worker role): see `LinkPreviewConfig`. */
export function loadLinkPreviewConfig(env: NodeJS.ProcessEnv = process.env): LinkPreviewConfig {
  return {
    enabled: !['0', 'false', 'off'].includes((env.CHAT_LINK_PREVIEWS ?? '').toLowerCase()),
    allowCidrs: (env.CHAT_LINK_PREVIEW_ALLOW_CIDRS ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    timeoutMs: positiveNumber(env, 'CHAT_LINK_PREVIEW_TIMEOUT_MS', 5_000),
    maxBytes: positiveInteger(env, 'CHAT_LINK_PREVIEW_MAX_BYTES', 512 * 1024),
    cacheSeconds: positiveNumber(env, 'CHAT_LINK_PREVIEW_CACHE_S', 24 * 3600),
  };
}

/** The REST side's protections; each has an environment override. */
export interface HttpConfig {
  /**
   * Which proxies to believe about the client's address (`X-Forwarded-For`), for per-IP limits
   * behind a load balancer (`CHAT_TRUST_PROXY`): `false` (default: the socket's address), `true`
   * (every hop: only behind a proxy that overwrites the header), a number of hops, or a
   * comma-separated list of proxy addresses or CIDR ranges.
   */
  trustProxy: boolean | number | string;
  /** The headers of a request must arrive within this long (`CHAT_HTTP_HEADERS_TIMEOUT_MS`). */
  headersTimeoutMs: number;
  /** The whole request, body included, within this long (`CHAT_HTTP_REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long (`CHAT_HTTP_KEEP_ALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  /** Sign-ups (each a 32 MiB password hash) per client address per hour (`CHAT_REGISTRATIONS_PER_IP_HOUR`). */
  registrationsPerIpPerHour: number;
  /** Sign-ups per application per hour, whatever the addresses (`CHAT_REGISTRATIONS_PER_APP_HOUR`). */
  registrationsPerAppPerHour: number;
  /** Portal sign-ups (customer accounts) per client address per hour (`CHAT_PORTAL_SIGNUPS_PER_IP_HOUR`). */
  portalSignUpsPerIpPerHour: number;
  /** The bearer token `/metrics` asks for (`CHAT_METRICS_TOKEN`); see http/metrics-route.ts. */
  metricsToken?: string | undefined;
}

export function loadHttpConfig(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  return {
    trustProxy: trustProxy(env.CHAT_TRUST_PROXY),
    headersTimeoutMs: positiveNumber(env, 'CHAT_HTTP_HEADERS_TIMEOUT_MS', 10_000),
    requestTimeoutMs: positiveNumber(env, 'CHAT_HTTP_REQUEST_TIMEOUT_MS', 30_000),
    keepAliveTimeoutMs: positiveNumber(env, 'CHAT_HTTP_KEEP_ALIVE_TIMEOUT_MS', 10_000),
    registrationsPerIpPerHour: positiveNumber(env, 'CHAT_REGISTRATIONS_PER_IP_HOUR', 10),
    registrationsPerAppPerHour: positiveNumber(env, 'CHAT_REGISTRATIONS_PER_APP_HOUR', 300),
    portalSignUpsPerIpPerHour: positiveNumber(env, 'CHAT_PORTAL_SIGNUPS_PER_IP_HOUR', 10),
    metricsToken: metricsToken(env.CHAT_METRICS_TOKEN),
  };
}

function metricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  // A guessable token would publish the node's health to anyone who tries a few.
  if (raw.length < 16) throw new Error('CHAT_METRICS_TOKEN must be at least 16 characters');
  return raw;
}

function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  // Addresses or CIDR ranges (IPv4 or IPv6): anything else is a typo that would trust nothing.
  if (entries.every((entry) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry))) return entries.join(',');
  throw new Error(
    `CHAT_TRUST_PROXY must be true, false, a number of hops or proxy addresses/CIDRs, got ${JSON.stringify(raw)}`,
  );
}

/** WebSocket gateway budgets and timings; each has an environment override. */
export interface RealtimeConfig {
  authTimeoutMs: number;
  /**
   * Authentications and channel watches served at once per node (the rest wait their turn): a
   * reconnect storm then meters its database work instead of timing out in the pool.
   */
  setupConcurrency: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  maxConnectionsPerUser: number;
  typingTimeoutMs: number;
  typingThrottleMs: number;
  /** Watcher count changes of a channel are announced at most once per this long. */
  watchersThrottleMs: number;
  presenceGraceMs: number;
  /**
   * Presence changes are announced in channels of at most this many members: in a larger one
   * every member's connect would be sent to every other member (N² frames as a crowd arrives).
   * Its members' online state still comes with member lists.
   */
  presenceMaxChannelMembers: number;
  /** Presence entries in Redis expire unless refreshed (so a crashed node's users go offline). */
  presenceTtlMs: number;
  /** Socket writes (send, edit, delete, react) per user: `points` per `durationSeconds`. */
  writes: { points: number; durationSeconds: number };
  framesPerWindow: number;
  invalidFramesPerWindow: number;
  frameWindowMs: number;
  maxBufferedBytes: number;
  /**
   * How often each node looks for channel events that were committed but never reached it (the
   * writing node died before publishing) and delivers them to its watchers
   * (`CHAT_WS_TRAILING_SWEEP_MS`; 0 turns it off).
   */
  trailingSweepMs: number;
}

export function loadRealtimeConfig(env: NodeJS.ProcessEnv = process.env): RealtimeConfig {
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
    return value;
  };
  return {
    authTimeoutMs: int('CHAT_WS_AUTH_TIMEOUT_MS', 5_000),
    setupConcurrency: int('CHAT_WS_SETUP_CONCURRENCY', 64),
    heartbeatIntervalMs: int('CHAT_WS_HEARTBEAT_MS', 25_000),
    heartbeatTimeoutMs: int('CHAT_WS_HEARTBEAT_TIMEOUT_MS', 70_000),
    maxConnectionsPerUser: int('CHAT_WS_MAX_CONNECTIONS_PER_USER', 10),
    typingTimeoutMs: int('CHAT_TYPING_TIMEOUT_MS', 7_000),
    typingThrottleMs: int('CHAT_TYPING_THROTTLE_MS', 2_000),
    watchersThrottleMs: int('CHAT_WATCHERS_THROTTLE_MS', 1_000),
    presenceGraceMs: int('CHAT_PRESENCE_GRACE_MS', 5_000),
    presenceMaxChannelMembers: int('CHAT_PRESENCE_MAX_CHANNEL_MEMBERS', 100),
    presenceTtlMs: int('CHAT_PRESENCE_TTL_MS', 60_000),
    writes: {
      points: int('CHAT_WS_WRITES_PER_WINDOW', 300),
      durationSeconds: int('CHAT_WS_WRITES_WINDOW_S', 10),
    },
    framesPerWindow: int('CHAT_WS_FRAMES_PER_WINDOW', 600),
    invalidFramesPerWindow: int('CHAT_WS_INVALID_FRAMES_PER_WINDOW', 20),
    frameWindowMs: int('CHAT_WS_FRAME_WINDOW_MS', 10_000),
    maxBufferedBytes: int('CHAT_WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024),
    trailingSweepMs: int('CHAT_WS_TRAILING_SWEEP_MS', 10_000),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === 'production';
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  }
  return {
    role: parseRole(env.CHAT_ROLE, 'CHAT_ROLE'),
    port,
    host: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    production,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.CHAT_DATABASE_SCHEMA || undefined,
    databasePoolSize: poolSize(env.CHAT_DATABASE_POOL_SIZE),
    dataDir: env.CHAT_DATA_DIR || '.chat-data',
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.CHAT_REDIS_PREFIX || 'chat:',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    seedDemo: env.CHAT_SEED_DEMO ? env.CHAT_SEED_DEMO !== '0' : !production,
    webRoot: env.CHAT_WEB_ROOT || undefined,
    eventLogDays: positiveNumber(env, 'CHAT_EVENT_LOG_DAYS', 30),
    maxTokenLifetimeSeconds: positiveNumber(
      env,
      'CHAT_MAX_TOKEN_LIFETIME_S',
      DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
    ),
    secretKey: secretKey(env.CHAT_SECRET_KEY),
    s3: loadS3Config(env),
    uploadMaxBytesCeiling: positiveInteger(env, 'CHAT_UPLOAD_MAX_BYTES', DEFAULT_UPLOAD_MAX_BYTES_CEILING),
    http: loadHttpConfig(env),
    tracing: loadTracingConfig(env),
    realtime: loadRealtimeConfig(env),
    webhooks: loadWebhookConfig(env),
    push: loadPushConfig(env),
    linkPreviews: loadLinkPreviewConfig(env),
  };
}

function secretKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32)
    throw new Error('CHAT_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`)');
  return raw;
}

function poolSize(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1_000)
    throw new Error(
      `CHAT_DATABASE_POOL_SIZE must be a whole number from 1 to 1000, got ${JSON.stringify(raw)}`,
    );
  return value;
}

/** 5 GiB: the largest object one S3 PUT or POST stores. */
export const DEFAULT_UPLOAD_MAX_BYTES_CEILING = 5 * 1024 ** 3;

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = positiveNumber(env, name, fallback);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be a whole number, got ${env[name]}`);
  return value;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a number greater than 0, got ${JSON.stringify(raw)}`);
  return value;
}
