import type { JobWithMetadata } from 'pg-boss';
import { type JobPump, type JobResult, startJobPump } from '../jobs/job-pump';
import type { JobQueue } from '../jobs/job-queue';
import type { AppDb } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import type { PreviousSecret } from '../store/schema';
import { deliverWebhook } from './deliver';
import { type DeliveryRecord, recordDeliveries } from './delivery-log';
import { DELIVERY_QUEUE, type DeliveryJob, type WebhookJobOptions } from './delivery-queue';
import { signingSecrets } from './secrets';
import { disableWebhook } from './webhook-endpoints';

/**
 * Delivery jobs one worker node works at once: waiting on receivers, not on CPU. One endpoint
 * has at most `LANES_PER_ENDPOINT` jobs under way across all workers (one per lane, and one for
 * its replays and one for its application events), so one that hangs until the timeout holds
 * only those slots and the other endpoints' deliveries go on in the rest.
 */
const DELIVERIES_AT_ONCE = 64;
/**
 * A job's deliveries beyond its own, at most: the later ones of its lane still waiting. A lane
 * that fell behind under load thus catches up a hundred at a time, not one small job after
 * another, each paying the queue's fetch and completion.
 */
const LATER_PER_JOB = 100;
/**
 * How old a job's reading of its endpoint may be before its next delivery reads it again: a
 * change to an endpoint (disabled, deleted, a new URL or secret) holds for deliveries from
 * about this long after it, even inside a job that began before it.
 */
const ENDPOINT_FRESH_MS = 1_000;

/**
 * Works the delivery queue on this node: up to `DELIVERIES_AT_ONCE` jobs in flight. `wake()` the
 * pump when deliveries were queued.
 */
export function workDeliveries(boss: JobQueue, data: DataAccess, options: WebhookJobOptions): JobPump {
  return startJobPump<DeliveryJob>(boss, {
    queue: DELIVERY_QUEUE,
    concurrency: DELIVERIES_AT_ONCE,
    // Deliveries queued by another node's feed are found within this (this node's own wake it).
    idleMs: 500,
    touchEveryMs: 5_000,
    logger: options.logger,
    handle: (job) => deliverLane(job, data, options),
  });
}

/**
 * Makes a job's deliveries in order, then its lane's later ones still waiting (`LATER_PER_JOB`).
 * One to be tried again stops the job there (it is retried, and what was delivered already is
 * skipped then); one that will never go (refused target, endpoint disabled) is logged failed and
 * the next goes on. The log is written once, at the end.
 */
async function deliverLane(
  job: JobWithMetadata<DeliveryJob>,
  data: DataAccess,
  options: WebhookJobOptions,
): Promise<JobResult> {
  const { appId, deliveryIds } = job.data;
  const db = data.forApp(appId);
  const lane: Lane = {
    db,
    appId,
    // The job's own limit (the queue's when it was queued): workers configured differently
    // still agree on which attempt is the last.
    lastChance: job.retryCount >= job.retryLimit,
    disabled: false,
    records: [],
  };
  const rows = await deliveryRows(db).where('d.id', 'in', deliveryIds).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ids = [...deliveryIds];
  const last = Math.max(...rows.map((row) => Number(row.n)));
  if (job.data.lane && rows.length > 0) {
    // The lane's later deliveries still waiting: queued for the jobs behind this one (which find
    // them done), or retrying there after a replay. Made now, in order, after this job's own.
    const later = await deliveryRows(db)
      .where('d.webhook_id', '=', job.data.lane.webhookId)
      .where('d.lane', '=', job.data.lane.lane)
      .where('d.state', 'in', ['pending', 'retrying'])
      .where('d.n', '>', last)
      .orderBy('d.n')
      .limit(LATER_PER_JOB)
      .execute();
    for (const row of later) {
      byId.set(row.id, row);
      ids.push(row.id);
    }
  }
  let endpointReadAt = Date.now();
  try {
    for (const id of ids) {
      let delivery: DeliveryRow | undefined = byId.get(id);
      // A slow job looks at its endpoint again: changed since (deleted, disabled, a new URL or
      // secret), the rest of its deliveries follow the endpoint as it is now.
      if (delivery && Date.now() - endpointReadAt >= ENDPOINT_FRESH_MS) {
        delivery = await withEndpointNow(db, delivery);
        endpointReadAt = Date.now();
      }
      const result = await deliverOne(lane, delivery, options);
      if (!result.done) return result;
    }
    return { done: true };
  } finally {
    await recordDeliveries(db, lane.records);
  }
}

/** Deliveries with their endpoint's URL and secrets. */
function deliveryRows(db: AppDb) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'd.id',
      'd.n',
      'd.webhook_id',
      'd.message_id',
      'd.body',
      'd.state',
      'd.attempts',
      'w.url',
      'w.secret',
      'w.previous_secrets',
      'w.is_active',
    ]);
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
  n: number;
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
  options.metrics?.webhookAttempt(
    outcome.kind === 'delivered'
      ? 'delivered'
      : outcome.kind === 'retry' && !lane.lastChance
        ? 'retry'
        : 'failed',
  );
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
