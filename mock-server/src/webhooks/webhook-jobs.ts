import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { fromKysely, type Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { WebhookReplayRequest } from '../events/app-events';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import { type JobPump, type JobResult, startJobPump } from '../jobs/job-pump';
import type { JobQueue } from '../jobs/job-queue';
import { type AppDb, scopeToApp } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import type { Database, PreviousSecret } from '../store/schema';
import { type DeliverOptions, deliverWebhook } from './deliver';
import { type DeliveryRecord, recordDeliveries } from './delivery-log';
import { deliveryOf, wants } from './payload';
import { signingSecrets } from './secrets';
import { disableWebhook } from './webhook-endpoints';

/**
 * Webhooks ride on the event feed and the job queue: the feed's `webhooks` consumer turns each
 * committed event into one entry of the delivery log and one delivery job per endpoint that
 * wants it, in the transaction that moves its cursor (so a crash neither loses nor repeats one);
 * workers deliver the jobs and record each attempt in the log.
 *
 * Jobs of one endpoint and one channel are delivered strictly in order (pg-boss's
 * `key_strict_fifo`, keyed by both): one waiting for a retry holds back the ones after it, and
 * nothing else. A failed attempt is retried with exponential backoff (from `retryDelaySeconds`,
 * up to 10 hours apart, `retryLimit` times: about a day by default); when the last retry fails
 * too the endpoint is disabled and the job completes (a failed job would hold back its endpoint
 * and channel for good); a 410 Gone disables the endpoint at once; a target the guard refuses is
 * not retried. A `Retry-After` longer than the backoff is honoured. Deliveries that end `failed`
 * are the dead letters: they stay in the log, and a replay sends them again.
 */
export const DELIVERY_QUEUE = 'webhook-delivery';

/**
 * The deliveries of one lane (an endpoint and a channel) that one feed batch produced, to be
 * made in order. Batching them makes one job of what would be many: the queue's fetch and
 * completion are paid per job, and a strict-FIFO fetch costs more the more jobs wait.
 */
export interface DeliveryJob {
  appId: string;
  deliveryIds: string[];
}

export interface WebhookJobOptions extends DeliverOptions {
  retryDelaySeconds: number;
  retryLimit: number;
  logger: Logger;
}

export const DEFAULT_RETRY = { retryDelaySeconds: 5, retryLimit: 13 };

/** Delivery jobs one worker node works at once: waiting on receivers, not on CPU. */
const DELIVERIES_AT_ONCE = 64;
/**
 * At most this many jobs of one endpoint at once, across all workers (a job's group is its
 * endpoint; pg-boss's fetch skips a group at its limit): enough for one busy endpoint to keep
 * up, while one that hangs until the timeout holds only these slots and the other endpoints'
 * deliveries go on in the rest.
 */
const DELIVERIES_PER_ENDPOINT = 16;

/** Deliveries one job makes at most (in order, stopping at the first to be retried). */
const DELIVERIES_PER_JOB = 25;

/** Rows per insert into the delivery log (PostgreSQL takes at most 65,535 parameters). */
const INSERT_CHUNK = 1_000;

/**
 * Job ids that sort in the order given. pg-boss runs one key's jobs by creation time, then id;
 * the jobs of one batch share their creation time (the transaction's), so their ids must keep
 * the events' order: time in milliseconds, then a counter, then randomness.
 */
function ascendingIds(count: number): string[] {
  const time = Date.now().toString(16).padStart(12, '0');
  return Array.from({ length: count }, (_, i) => {
    const hex = `${time}${i.toString(16).padStart(8, '0')}${randomBytes(6).toString('hex')}`;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  });
}

/** Creates the delivery queue (idempotent). */
export async function createDeliveryQueue(
  boss: JobQueue,
  options: Pick<WebhookJobOptions, 'retryDelaySeconds' | 'retryLimit'>,
) {
  const exists = (await boss.getQueues()).some((queue) => queue.name === DELIVERY_QUEUE);
  const settings = {
    retryLimit: options.retryLimit,
    retryDelay: options.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 10 * 3600,
    // A worker that dies mid-delivery stops its heartbeat: the job is tried again within about
    // 40 s instead of waiting out the expiry (which still bounds a hung attempt).
    heartbeatSeconds: 30,
    // A job makes up to DELIVERIES_PER_JOB deliveries, each bounded by the timeout.
    expireInSeconds: 15 * 60,
  };
  if (exists) await boss.updateQueue(DELIVERY_QUEUE, settings);
  else await boss.createQueue(DELIVERY_QUEUE, { policy: 'key_strict_fifo', ...settings });
}

interface QueuedDelivery {
  appId: string;
  endpointId: string;
  deliveryId: string;
  /** Deliveries of one key go strictly in order. */
  key: string;
}

/** The feed consumer that logs and queues deliveries. */
export function webhookProducer(boss: JobQueue): FeedConsumer {
  return {
    name: 'webhooks',
    // An endpoint hears of events from its creation on, never of history (a replay asks for that).
    from: 'now',
    async handle(tx, events) {
      const queued: QueuedDelivery[] = [];
      for (const appId of new Set(events.map((e) => e.appId))) {
        const ofApp = events.filter((event) => event.appId === appId);
        queued.push(...(await deliveriesFor(scopeToApp(tx, appId), appId, ofApp)));
      }
      await queueDeliveries(boss, tx, queued);
    },
  };
}

/** Logs one application's deliveries for these events, in their order. */
async function deliveriesFor(db: AppDb, appId: string, events: FeedEvent[]): Promise<QueuedDelivery[]> {
  const queued: QueuedDelivery[] = [];
  // Replays asked for over REST: their deliveries are logged already.
  const replays = events.flatMap((event) =>
    event.event.type === 'internal.webhook_replay' ? (event.event as WebhookReplayRequest).delivery_ids : [],
  );
  const endpoints = await db
    .selectFrom('webhooks')
    .select(['id', 'events', 'created_at'])
    .where('is_active', '=', true)
    .where('type', '=', 'event')
    .where('secret', 'is not', null)
    .execute();
  const rows = [];
  const keys: string[] = [];
  const endpointIds: string[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (!wants(endpoint.events, event) || event.createdAt < new Date(endpoint.created_at)) continue;
      rows.push({ app_id: appId, ...deliveryOf(event, endpoint.id) });
      keys.push(`${endpoint.id}:${event.channelId ?? 'app'}`);
      endpointIds.push(endpoint.id);
    }
  }
  for (let at = 0; at < rows.length; at += INSERT_CHUNK) {
    const ids = await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(at, at + INSERT_CHUNK))
      .returning('id')
      .execute();
    for (const [i, row] of ids.entries())
      queued.push({ appId, endpointId: endpointIds[at + i]!, deliveryId: row.id, key: keys[at + i]! });
  }
  if (replays.length > 0) {
    const replayed = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'webhook_id'])
      .where('id', 'in', replays)
      .orderBy('n')
      .execute();
    // A replay has a lane of its own per endpoint: it never holds back live deliveries.
    for (const row of replayed)
      queued.push({ appId, endpointId: row.webhook_id, deliveryId: row.id, key: `${row.webhook_id}:replay` });
  }
  return queued;
}

/** One job per lane (up to `DELIVERIES_PER_JOB` deliveries each), in the order given. */
async function queueDeliveries(boss: JobQueue, tx: Transaction<Database>, queued: QueuedDelivery[]) {
  if (queued.length === 0) return;
  const lanes = new Map<
    string,
    { appId: string; endpointId: string; key: string; deliveryIds: string[] }[]
  >();
  for (const delivery of queued) {
    const jobs = lanes.get(delivery.key) ?? [];
    const last = jobs.at(-1);
    if (last && last.deliveryIds.length < DELIVERIES_PER_JOB) last.deliveryIds.push(delivery.deliveryId);
    else jobs.push({ ...delivery, deliveryIds: [delivery.deliveryId] });
    lanes.set(delivery.key, jobs);
  }
  const jobs = [...lanes.values()].flat();
  const ids = ascendingIds(jobs.length);
  await boss.insert(
    DELIVERY_QUEUE,
    jobs.map((job, i) => ({
      id: ids[i]!,
      data: { appId: job.appId, deliveryIds: job.deliveryIds } satisfies DeliveryJob,
      singletonKey: job.key,
      group: { id: job.endpointId },
    })),
    { db: fromKysely(tx) },
  );
}

/**
 * Works the delivery queue on this node: up to `DELIVERIES_AT_ONCE` jobs in flight, at most
 * `DELIVERIES_PER_ENDPOINT` of them to one endpoint. `wake()` the pump when deliveries were queued.
 */
export function workDeliveries(boss: JobQueue, data: DataAccess, options: WebhookJobOptions): JobPump {
  return startJobPump<DeliveryJob>(boss, {
    queue: DELIVERY_QUEUE,
    concurrency: DELIVERIES_AT_ONCE,
    perGroup: DELIVERIES_PER_ENDPOINT,
    // Deliveries queued by another node's feed are found within this (this node's own wake it).
    idleMs: 500,
    touchEveryMs: 5_000,
    logger: options.logger,
    handle: (job) => deliverLane(job, data, options),
  });
}

/**
 * Makes a job's deliveries in order. One to be tried again stops the job there (it is retried,
 * and what was delivered already is skipped then); one that will never go (refused target,
 * endpoint disabled) is logged failed and the next goes on. The log is written once, at the end.
 */
async function deliverLane(
  job: Job<DeliveryJob>,
  data: DataAccess,
  options: WebhookJobOptions,
): Promise<JobResult> {
  const { appId, deliveryIds } = job.data;
  const db = data.forApp(appId);
  const lane: Lane = {
    db,
    appId,
    lastChance: job.retryCount >= options.retryLimit,
    disabled: false,
    records: [],
  };
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'd.id',
      'd.webhook_id',
      'd.message_id',
      'd.body',
      'd.state',
      'd.attempts',
      'w.url',
      'w.secret',
      'w.previous_secrets',
      'w.is_active',
    ])
    .where('d.id', 'in', deliveryIds)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  try {
    for (const [i, id] of deliveryIds.entries()) {
      const row = byId.get(id);
      // Changed since the job began (deleted, disabled, a new URL or secret)? The endpoint as it is now.
      const delivery = row && i > 0 ? await withEndpointNow(db, row) : row;
      const result = await deliverOne(lane, delivery, options);
      if (!result.done) return result;
    }
    return { done: true };
  } finally {
    await recordDeliveries(db, lane.records);
  }
}

async function withEndpointNow(db: AppDb, row: DeliveryRow): Promise<DeliveryRow | undefined> {
  const endpoint = await db
    .selectFrom('webhooks')
    .select(['url', 'secret', 'previous_secrets', 'is_active'])
    .where('id', '=', row.webhook_id)
    .executeTakeFirst();
  return endpoint && { ...row, ...endpoint };
}

interface Lane {
  db: AppDb;
  appId: string;
  /** The job's last attempt: a delivery to retry fails for good instead. */
  lastChance: boolean;
  /** The endpoint was disabled during this job. */
  disabled: boolean;
  records: DeliveryRecord[];
}

type DeliveryRow = {
  id: string;
  webhook_id: string;
  message_id: string;
  body: string;
  state: string;
  attempts: number;
  url: string;
  secret: string | null;
  previous_secrets: PreviousSecret[];
  is_active: boolean;
};

async function deliverOne(
  lane: Lane,
  delivery: DeliveryRow | undefined,
  options: WebhookJobOptions,
): Promise<JobResult> {
  const DONE = { done: true } as const;
  // Gone with its endpoint, or pruned; or settled already (an earlier attempt of the job, or a
  // worker that died after recording it): nothing more to do.
  if (!delivery || delivery.state === 'delivered' || delivery.state === 'failed') return DONE;
  const { appId, db, records } = lane;
  if (!delivery.is_active || !delivery.secret || lane.disabled) {
    records.push({
      deliveryId: delivery.id,
      state: 'failed',
      abandoned: 'the endpoint was disabled before the delivery',
    });
    return DONE;
  }
  const outcome = await deliverWebhook(
    {
      url: delivery.url,
      secrets: signingSecrets(delivery.secret, delivery.previous_secrets),
      messageId: delivery.message_id,
      body: delivery.body,
    },
    options,
  );
  const endpointId = delivery.webhook_id;
  const attempts = delivery.attempts + 1;
  const log = {
    appId,
    endpointId,
    deliveryId: delivery.id,
    messageId: delivery.message_id,
    attempts,
    ...outcome,
  };
  const disable = async (reason: string) => {
    lane.disabled = true;
    await disableWebhook(db, appId, endpointId, reason);
  };
  switch (outcome.kind) {
    case 'delivered':
      records.push({ deliveryId: delivery.id, state: 'delivered', outcome });
      return DONE;
    case 'gone':
      records.push({ deliveryId: delivery.id, state: 'failed', outcome });
      await disable('The endpoint answered 410 Gone');
      options.logger.info(log, 'webhook endpoint answered 410 Gone: disabled');
      return DONE;
    case 'failed':
      records.push({ deliveryId: delivery.id, state: 'failed', outcome });
      options.logger.warn(log, 'webhook not delivered, and not retried');
      return DONE;
    case 'retry': {
      if (lane.lastChance) {
        records.push({ deliveryId: delivery.id, state: 'failed', outcome });
        await disable(`Every attempt failed (${attempts}); the last: ${outcome.reason}`);
        options.logger.warn(log, 'webhook endpoint failed every retry: disabled');
        return DONE;
      }
      records.push({ deliveryId: delivery.id, state: 'retrying', outcome });
      // A Retry-After says when to come back: no sooner (a longer backoff stands).
      return {
        done: false,
        reason: `webhook delivery failed: ${outcome.reason}`,
        ...(outcome.retryAfterMs !== undefined && { notBefore: new Date(Date.now() + outcome.retryAfterMs) }),
      };
    }
  }
}
