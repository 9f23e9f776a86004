import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { registerAdmin } from '../admin/admin-routes';
import type { Bus } from '../bus/bus';
import { EventRelay } from '../bus/event-relay';
import { createRedisBus } from '../bus/redis-bus';
import { openRedis } from '../bus/redis-connection';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../domain/auth/index';
import type { Publish, PublishedEvent } from '../events/published-event';
import { buildHttpApp } from '../http/app';
import { runFeed } from '../jobs/event-feed';
import { startJobQueue, stopJobQueue } from '../jobs/job-queue';
import { scheduleRetention, workRetention } from '../jobs/retention';
import { scheduleUploadSweep, workUploadSweep } from '../jobs/upload-sweep';
import { redisStatusOf, reportDependencies } from '../kernel/dependency-status';
import { createLogger } from '../kernel/logger';
import { VERSION } from '../kernel/version';
import { createUploadRate } from '../limits/upload-rate';
import { createWriteBudget } from '../limits/write-budget';
import { BlocklistCache } from '../moderation/blocklist-cache';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createTracing, NO_TRACING } from '../observability/tracing';
import { createTargetGuard, type TargetGuard } from '../outbound/target-guard';
import { createPortal } from '../portal/portal';
import { registerPortalRoutes } from '../portal/routes';
import { pushProducer } from '../push/push-producer';
import { createPushQueue } from '../push/push-queue';
import { workPushes } from '../push/push-worker';
import type { SecretBoxOrReason } from '../push/web-push-config';
import { Gateway } from '../realtime/gateway';
import { PresenceService } from '../realtime/presence';
import { createMemoryPresence, type PresenceStore } from '../realtime/presence-store';
import { createRedisPresence } from '../realtime/redis-presence';
import { createMemoryWatchers, createRedisWatchers } from '../realtime/watcher-store';
import { createUploadPolicies, type UploadPolicies } from '../storage/app-upload-policy';
import { createLinkPreviewQueue, linkPreviewProducer, workLinkPreviews } from '../storage/link-previews';
import { createMediaQueue, mediaProducer, workMedia } from '../storage/media-jobs';
import type { ObjectStorage } from '../storage/object-storage';
import { createDataAccess } from '../store/data-access';
import { openSidePool, openStore, type Store } from '../store/database';
import { poolStatsOf } from '../store/postgres';
import { BeforeSendHookClient } from '../webhooks/before-send';
import { webhookProducer } from '../webhooks/delivery-producer';
import { createDeliveryQueue } from '../webhooks/delivery-queue';
import { workDeliveries } from '../webhooks/delivery-worker';
import {
  DEFAULT_UPLOAD_MAX_BYTES_CEILING,
  type HttpConfig,
  type LinkPreviewConfig,
  loadHttpConfig,
  loadLinkPreviewConfig,
  loadPushConfig,
  loadRealtimeConfig,
  loadWebhookConfig,
  type PushConfig,
  type RealtimeConfig,
  type ServerConfig,
  type WebhookConfig,
} from './config';
import { assertRoleCanRun, dutiesOf } from './roles';
import { secretBoxFor, serverKeyFor } from './secret-key';
import { type DemoCredentials, seedDemo } from './seed';
import { setUpStorage } from './storage-setup';

export interface ChatServer {
  /** Base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The WebSocket URL (add `?api_key=…`). */
  wsUrl: string;
  store: Store;
  logger: Logger;
  /** What `seedDemo` created, when it ran. */
  demo: DemoCredentials | null;
  /** Registers a listener for every event this node receives from the bus. */
  onEvent(listener: (event: PublishedEvent) => void): () => void;
  /** Stops accepting, drains sockets with "service restart", and closes everything it opened. */
  close(): Promise<void>;
}

export interface ChatServerOptions
  extends Partial<Omit<ServerConfig, 'realtime' | 'http' | 'webhooks' | 'push' | 'linkPreviews'>> {
  realtime?: Partial<RealtimeConfig>;
  http?: Partial<HttpConfig>;
  webhooks?: Partial<WebhookConfig>;
  push?: Partial<PushConfig>;
  linkPreviews?: Partial<LinkPreviewConfig>;
  /** Use this store instead of opening one (tests share one database per worker). */
  store?: Store;
  logger?: Logger;
}

const EVENTS_TOPIC = 'events';
const DAY_MS = 24 * 3600 * 1000;
/**
 * How often a worker looks for new events for the webhooks when there were none (and no
 * committed event was announced to it).
 */
const FEED_IDLE_MS = 500;
/** Connections of a worker's background pool (PostgreSQL): the feed, and deliveries' log reads and writes. */
const BACKGROUND_POOL_SIZE = 6;

/** A node's job worker. */
interface Worker {
  /** Channel events were committed: the webhooks' feed should look. */
  eventsCommitted(): void;
  stop(): Promise<void>;
}
const LISTEN_BACKLOG = 4096;

/**
 * Starts the server in this process: store (PGlite or PostgreSQL, migrated), bus (in memory, or
 * Redis for several nodes), demo seed outside production, and what its role asks for (all of it
 * by default): REST routes, the WebSocket gateway, the job workers. `port: 0` picks a free port.
 */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const role = options.role ?? 'all';
  assertRoleCanRun(role, options);
  const duties = dutiesOf(role);
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info' });
  const realtime = { ...loadRealtimeConfig({}), ...options.realtime };
  const http = { ...loadHttpConfig({}), ...options.http };
  const tokens = {
    maxLifetimeSeconds: options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  };
  const ownsStore = !options.store;
  const store =
    options.store ??
    (await openStore({
      databaseUrl: options.databaseUrl,
      dataDir: options.dataDir ?? '.chat-data',
      ...(options.databaseSchema !== undefined && { schema: options.databaseSchema }),
      ...(options.databasePoolSize !== undefined && { poolSize: options.databasePoolSize }),
    }));

  const redisPrefix = options.redisPrefix ?? 'chat:';
  const bus: Bus | null = options.redisUrl ? await createRedisBus(options.redisUrl, redisPrefix) : null;
  // Rate limits and watcher counts: commands of one event-loop turn go out in one write.
  const redis = options.redisUrl ? openRedis(options.redisUrl) : undefined;
  await redis?.connect();
  reportDependencies(logger);
  // One write budget per user, for the socket and REST alike.
  const writes = createWriteBudget({ ...realtime.writes, redis, prefix: redisPrefix });
  const presenceStore: PresenceStore = options.redisUrl
    ? await createRedisPresence(options.redisUrl, realtime.presenceTtlMs, redisPrefix)
    : createMemoryPresence();

  // Domain code publishes after commit: this node's sockets get the event at once, the other
  // nodes through the bus (held while it is down, bus/event-relay.ts).
  let gateway: Gateway | undefined;
  let jobs: Worker | undefined;
  const listeners = new Set<(event: PublishedEvent) => void>();
  const metrics = createMetrics();
  const tracing = createTracing(options.tracing, VERSION);
  const nodeId = randomUUID();
  const relay = new EventRelay({
    nodeId,
    bus,
    topic: EVENTS_TOPIC,
    logger,
    deliver: (envelope) => {
      const started = performance.now();
      gateway?.deliver(envelope);
      metrics.fannedOut((performance.now() - started) / 1000);
      if (envelope.type === 'message.new' && envelope.origin === nodeId) metrics.messageCreated();
      // A channel event was committed (here or, through the bus, on another node): the
      // webhooks' feed looks at once instead of at its next poll.
      if (envelope.seq !== undefined) jobs?.eventsCommitted();
      for (const listener of listeners) {
        try {
          listener({
            appId: envelope.appId,
            channelId: envelope.channelId,
            ...(envelope.userIds && { userIds: envelope.userIds }),
            event: envelope.event,
          });
        } catch (error) {
          logger.error({ err: error }, 'event listener failed');
        }
      }
    },
  });
  const publish: Publish = (event) => relay.publish(event);

  const data = createDataAccess(store.db);
  const webhooks = { ...loadWebhookConfig({}), ...options.webhooks };
  const guard = createTargetGuard(webhooks.allowCidrs);
  const userAgent = `chat-server/${VERSION} (webhooks)`;
  const serverKey = serverKeyFor({
    secretKey: options.secretKey,
    store: store.kind,
    dataDir: ownsStore ? (options.dataDir ?? '.chat-data') : 'memory',
  });
  const pushSecrets = secretBoxFor(serverKey);
  const storage = setUpStorage({
    secretKey: options.secretKey,
    dataDir: ownsStore ? (options.dataDir ?? '.chat-data') : 'memory',
    s3: options.s3,
  });
  // Each app's upload policy, one instance for the routes and the media worker of this node: a
  // change made here takes effect on both at once.
  const uploadPolicies = createUploadPolicies({
    defaults: storage.policy,
    maxBytesCeiling: options.uploadMaxBytesCeiling ?? DEFAULT_UPLOAD_MAX_BYTES_CEILING,
  });
  const beforeSend = new BeforeSendHookClient({ data, guard, userAgent, logger });
  // Blocklists: each app's compiled lists, dropped on every node when they change.
  const blocklists = new BlocklistCache({ data, bus, logger });
  await blocklists.start();
  const presence = new PresenceService({
    data,
    store: presenceStore,
    publish,
    logger,
    graceMs: realtime.presenceGraceMs,
    maxChannelMembers: realtime.presenceMaxChannelMembers,
  });
  gateway = new Gateway({
    ...realtime,
    data,
    metrics,
    // Only when on: no span is even named per frame otherwise.
    ...(tracing !== NO_TRACING && { tracing }),
    publish,
    beforeSend,
    contentFilters: blocklists,
    logger,
    presence,
    presenceStore,
    watcherStore: redis
      ? createRedisWatchers(redis, realtime.presenceTtlMs, redisPrefix)
      : createMemoryWatchers(),
    writes,
    production: options.production ?? false,
    tokens,
    media: storage.media,
  });

  metrics.readFrom({ connections: () => gateway!.connectionCount, pool: () => poolStatsOf(store.db) });
  const unsubscribe = await relay.start();
  const stopRepairing = redis ? repairAfterRedisOutages(redis, bus!, gateway, logger) : () => undefined;

  let ready = false;
  const app = buildHttpApp({
    data,
    publish,
    logger,
    version: VERSION,
    isReady: () => ready,
    webRoot: options.webRoot,
    tokens,
    writes,
    http,
    rest: duties.rest,
    metrics: { metrics, tracing, token: http.metricsToken, production: options.production ?? false },
    webhooks: { guard, beforeSend },
    push: { secrets: pushSecrets },
    blocklists,
    uploads: {
      storage: storage.storage,
      ...(storage.disk && { disk: storage.disk }),
      signer: storage.signer,
      policies: uploadPolicies,
      rate: createUploadRate({ redis, prefix: redisPrefix }),
      media: storage.media,
    },
  });
  if (duties.rest) {
    registerAdmin(app, store, { maxTokenLifetimeSeconds: tokens.maxLifetimeSeconds });
    registerPortalRoutes(
      app,
      createPortal({
        data,
        publish,
        serverKey,
        maxTokenLifetimeSeconds: tokens.maxLifetimeSeconds,
        signUpsPerAddressPerHour: http.portalSignUpsPerIpPerHour,
      }),
    );
  }
  const demo = options.seedDemo ? await seedDemo({ db: store.db, publish }) : null;
  if (duties.realtime) gateway.attach(app.server);
  jobs = duties.jobs
    ? await startWorker(store, {
        eventLogMaxAgeMs: (options.eventLogDays ?? 30) * DAY_MS,
        webhooks,
        push: { ...loadPushConfig({}), ...options.push },
        linkPreviews: { ...loadLinkPreviewConfig({}), ...options.linkPreviews },
        publish,
        pushSecrets,
        guard,
        userAgent,
        logger,
        storage: storage.storage,
        policies: uploadPolicies,
        metrics,
      })
    : undefined;
  await app.listen({
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    // Connections the kernel queues until the server accepts them (it caps this at
    // net.core.somaxconn). Node's 511 overflowed in a reconnect storm of 10,000 clients: the
    // dropped connection attempts were retried by TCP seconds, up to a minute, later.
    backlog: LISTEN_BACKLOG,
  });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}/v1/ws`,
    store,
    logger,
    demo,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closing ??= (async () => {
        ready = false;
        stopRepairing();
        await gateway!.drain();
        await app.close();
        if (jobs) await jobs.stop();
        presence.close();
        unsubscribe();
        relay.close();
        blocklists.close();
        await Promise.allSettled([bus?.close(), presenceStore.close(), redis?.quit()]);
        if (ownsStore) await store.close();
        storage.close();
        await tracing.shutdown().catch((error) => logger.warn({ err: error }, 'spans not exported at close'));
      })();
      return closing;
    },
  };
}

/** How long after Redis returns a node repairs presence: the other nodes are reconnecting meanwhile. */
const REPAIR_SETTLE_MS = 1_000;

/**
 * What a node does about a Redis outage: presence changes made during it are announced again,
 * and once Redis is back (perhaps empty, after a restart) the node puts its connections and
 * watchers back and announces presence and watcher counts again; once its bus subscription is
 * back it delivers the channel events its sockets missed. Returns a stop function.
 */
function repairAfterRedisOutages(redis: Redis, bus: Bus, gateway: Gateway, logger: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  const stop = redisStatusOf(redis).onChange((down) => {
    clearTimeout(timer);
    if (down) return gateway.presenceDegraded();
    timer = setTimeout(() => {
      gateway
        .repairPresence()
        .then(() => logger.info('presence and watcher counts repaired after the Redis outage'))
        .catch((error) => logger.warn({ err: error }, 'presence repair failed'));
    }, REPAIR_SETTLE_MS);
    timer.unref();
  });
  bus.onReconnected((side) => {
    if (side !== 'subscriber') return;
    gateway
      .catchUp()
      .then((delivered) => {
        if (delivered > 0)
          logger.info({ delivered }, 'delivered the channel events missed while Redis was away');
      })
      .catch((error) => logger.warn({ err: error }, 'catching up after the Redis outage failed'));
  });
  return () => {
    clearTimeout(timer);
    stop();
  };
}

/**
 * The job queue of a node that works jobs: it keeps its tables next to the store's (a schema of
 * their own), schedules the retention jobs and works them, and runs the webhooks' event feed and
 * deliveries. Returns its stop function.
 */
async function startWorker(
  store: Store,
  options: {
    eventLogMaxAgeMs: number;
    webhooks: WebhookConfig;
    push: PushConfig;
    linkPreviews: LinkPreviewConfig;
    /** Where the jobs' own changes of messages (link previews) are published. */
    publish: Publish;
    pushSecrets: SecretBoxOrReason;
    guard: TargetGuard;
    userAgent: string;
    logger: Logger;
    /** Where uploads are: the sweep of abandoned ones deletes their bytes; media jobs process them. */
    storage: ObjectStorage;
    policies: UploadPolicies;
    /** Webhook and push outcomes are counted there, and the queues read at each scrape. */
    metrics: Metrics;
  },
): Promise<Worker> {
  const { logger, guard, userAgent } = options;
  const boss = await startJobQueue({ store, schema: `${store.schema ?? 'chat'}_jobs`, logger });
  options.metrics.readFrom({
    queues: async () =>
      (await boss.getQueues()).map((q) => ({
        name: q.name,
        queued: q.queuedCount,
        active: q.activeCount,
        failed: q.failedCount,
      })),
  });
  await scheduleRetention(boss);
  await workRetention(
    boss,
    store.db,
    { eventLogMaxAgeMs: options.eventLogMaxAgeMs, webhookLogMaxAgeMs: options.webhooks.logDays * DAY_MS },
    logger,
  );
  await scheduleUploadSweep(boss);
  await workUploadSweep(boss, store.db, options.storage, logger);
  await createDeliveryQueue(boss, options.webhooks);
  // The feed and the deliveries on a pool of their own: never behind the requests' queries.
  const side = await openSidePool(store, BACKGROUND_POOL_SIZE);
  const deliveries = workDeliveries(boss, createDataAccess(side.db), {
    ...options.webhooks,
    guard,
    userAgent,
    logger,
    metrics: options.metrics,
  });
  // The deliveries a feed batch queued are this node's to start on at once.
  const feed = runFeed(side.db, webhookProducer(boss), {
    idleMs: FEED_IDLE_MS,
    logger,
    afterBatch: () => deliveries.wake(),
  });
  await createPushQueue(boss);
  const pushes = workPushes(boss, createDataAccess(side.db), {
    guard,
    allowCidrs: options.webhooks.allowCidrs,
    timeoutMs: options.push.timeoutMs,
    ...(options.push.ca && { ca: options.push.ca }),
    secrets: options.pushSecrets,
    logger,
    metrics: options.metrics,
  });
  const pushFeed = runFeed(side.db, pushProducer(boss), {
    idleMs: FEED_IDLE_MS,
    logger,
    afterBatch: () => pushes.wake(),
  });
  await createMediaQueue(boss);
  const media = await workMedia(boss, createDataAccess(side.db), {
    storage: options.storage,
    policies: options.policies,
    logger,
  });
  const mediaFeed = runFeed(side.db, mediaProducer(boss), {
    idleMs: FEED_IDLE_MS,
    logger,
    afterBatch: () => media.wake(),
  });
  // Link previews: their own address guard, so a range allowed for webhooks is not one for links.
  await createLinkPreviewQueue(boss);
  const previews = await workLinkPreviews(boss, createDataAccess(side.db), {
    config: options.linkPreviews,
    guard: createTargetGuard(options.linkPreviews.allowCidrs),
    publish: options.publish,
    logger,
  });
  const previewFeed = runFeed(side.db, linkPreviewProducer(boss, options.linkPreviews), {
    idleMs: FEED_IDLE_MS,
    logger,
    afterBatch: () => previews.wake(),
  });
  return {
    eventsCommitted: () => {
      feed.wake();
      pushFeed.wake();
      mediaFeed.wake();
      previewFeed.wake();
    },
    async stop() {
      await Promise.all([feed.stop(), pushFeed.stop(), mediaFeed.stop(), previewFeed.stop()]);
      await Promise.all([deliveries.stop(), pushes.stop(), media.stop(), previews.stop()]);
      await stopJobQueue(boss);
      await side.close();
    },
  };
}
