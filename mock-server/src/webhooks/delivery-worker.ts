import type { Job } from 'pg-boss';
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

/** Delivery jobs one worker node works at once: waiting on receivers, not on CPU. */
const DELIVERIES_AT_ONCE = 64;
/**
 * At most this many jobs of one endpoint at once, across all workers (a job's group is its
 * endpoint; pg-boss's fetch skips a group at its limit): enough for one busy endpoint to keep
 * up, while one that hangs until the timeout holds only these slots and the other endpoints'
 * deliveries go on in the rest.
 */
const DELIVERIES_PER_ENDPOINT = 16;

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
