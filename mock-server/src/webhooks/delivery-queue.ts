import type { Logger } from 'pino';
import type { JobQueue } from '../jobs/job-queue';
import type { Metrics } from '../observability/metrics';
import type { DeliverOptions } from './deliver';

/**
 * Webhooks ride on the event feed and the job queue: the feed's `webhooks` consumer turns each
 * committed event into one entry of the delivery log per endpoint that wants it, and queues
 * jobs for them, in the transaction that moves its cursor (so a crash neither loses nor repeats
 * one); workers deliver the jobs and record each attempt in the log.
 *
 * An endpoint's channel events go in 16 lanes (a channel always in the same one), the
 * application's own events in one more and replays in another. A lane's jobs are worked
 * strictly in order (pg-boss's `key_strict_fifo`, keyed by endpoint and lane): one waiting for
 * a retry holds back the ones after it in its lane, and nothing else. A failed attempt is retried with exponential backoff (from `retryDelaySeconds`,
 * up to 10 hours apart, `retryLimit` times: about a day by default); when the last retry fails
 * too the endpoint is disabled and the job completes (a failed job would hold back its endpoint
 * and channel for good); a 410 Gone disables the endpoint at once; a target the guard refuses is
 * not retried. A `Retry-After` longer than the backoff is honoured. Deliveries that end `failed`
 * are the dead letters: they stay in the log, and a replay sends them again.
 */
export const DELIVERY_QUEUE = 'webhook-delivery';

/**
 * The deliveries of one lane of an endpoint that one feed batch produced, to be made in order. Batching them makes one job of what would be many: the queue's fetch and
 * completion are paid per job, and a strict-FIFO fetch costs more the more jobs wait.
 */
export interface DeliveryJob {
  appId: string;
  deliveryIds: string[];
  /**
   * The lane of live deliveries (a replay's job has none): after its own, the job also makes
   * the lane's later deliveries that are still waiting (queued for the jobs behind it, which then
   * find them done), so a lane that fell behind catches up in a few jobs.
   */
  lane?: { webhookId: string; lane: string };
}

export interface WebhookJobOptions extends DeliverOptions {
  retryDelaySeconds: number;
  retryLimit: number;
  logger: Logger;
  /** Where each attempt's outcome is counted (observability/metrics.ts). */
  metrics?: Pick<Metrics, 'webhookAttempt'>;
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
