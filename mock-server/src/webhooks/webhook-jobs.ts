import { createHash, randomBytes } from 'node:crypto';
import { fromKysely } from 'pg-boss';
import type { Logger } from 'pino';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import type { JobQueue } from '../jobs/job-queue';
import { scopeToApp } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import { type DeliverOptions, deliverWebhook } from './deliver';

/**
 * Webhooks ride on the event feed and the job queue: the feed's `webhooks` consumer turns each
 * committed event into one delivery job per endpoint that wants it, in the transaction that
 * moves its cursor (so a crash neither loses nor repeats one); workers deliver the jobs.
 *
 * Jobs of one endpoint and one channel are delivered strictly in order (pg-boss's
 * `key_strict_fifo`, keyed by both): one waiting for a retry holds back the ones after it, and
 * nothing else. A failed attempt is retried with exponential backoff (from `retryDelaySeconds`,
 * up to 10 hours apart, `retryLimit` times: about a day by default); when the last retry fails
 * too the endpoint is disabled and the job completes (a failed job would hold back its endpoint
 * and channel for good); a 410 Gone disables the endpoint at once; a target the guard refuses is
 * not retried.
 */
export const DELIVERY_QUEUE = 'webhook-delivery';

export interface DeliveryJob {
  appId: string;
  endpointId: string;
  /** `webhook-id`: the same on every attempt of this event to this endpoint. */
  messageId: string;
  body: string;
}

export interface WebhookJobOptions extends DeliverOptions {
  retryDelaySeconds: number;
  retryLimit: number;
  logger: Logger;
}

export const DEFAULT_RETRY = { retryDelaySeconds: 5, retryLimit: 13 };

/** The payload receivers get: Standard Webhooks' `{ type, timestamp, data }`. */
function bodyOf(event: FeedEvent): string {
  return JSON.stringify({
    type: event.event.type,
    timestamp: event.createdAt.toISOString(),
    data: event.event,
  });
}

/** Stable per event and endpoint, so receivers can drop a repeat: `msg_` and 32 hex digits. */
function messageIdOf(eventId: string, endpointId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\n${endpointId}`).digest('hex').slice(0, 32)}`;
}

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
    // 20 s instead of waiting out the expiry (which still bounds a hung attempt).
    heartbeatSeconds: 10,
    expireInSeconds: 5 * 60,
  };
  if (exists) await boss.updateQueue(DELIVERY_QUEUE, settings);
  else await boss.createQueue(DELIVERY_QUEUE, { policy: 'key_strict_fifo', ...settings });
}

/** The feed consumer that queues deliveries. */
export function webhookProducer(boss: JobQueue): FeedConsumer {
  return {
    name: 'webhooks',
    // An endpoint hears of events from its creation on, never of history.
    from: 'now',
    async handle(tx, events) {
      const jobs = [];
      for (const appId of new Set(events.map((e) => e.appId))) {
        const endpoints = await scopeToApp(tx, appId)
          .selectFrom('webhooks')
          .select(['id', 'events', 'created_at'])
          .where('is_active', '=', true)
          .where('type', '=', 'event')
          .where('secret', 'is not', null)
          .execute();
        if (endpoints.length === 0) continue;
        for (const event of events) {
          if (event.appId !== appId) continue;
          for (const endpoint of endpoints) {
            if (endpoint.events.length > 0 && !endpoint.events.includes(event.event.type)) continue;
            if (event.createdAt < new Date(endpoint.created_at)) continue;
            const data: DeliveryJob = {
              appId,
              endpointId: endpoint.id,
              messageId: messageIdOf(event.id, endpoint.id),
              body: bodyOf(event),
            };
            jobs.push({ data, singletonKey: `${endpoint.id}:${event.channelId}` });
          }
        }
      }
      if (jobs.length === 0) return;
      const ids = ascendingIds(jobs.length);
      await boss.insert(
        DELIVERY_QUEUE,
        jobs.map((job, i) => ({ ...job, id: ids[i]! })),
        { db: fromKysely(tx) },
      );
    },
  };
}

function disable(db: ReturnType<DataAccess['forApp']>, endpointId: string) {
  return db.updateTable('webhooks').set({ is_active: false }).where('id', '=', endpointId).execute();
}

/** Works the delivery queue on this node. */
export async function workDeliveries(
  boss: JobQueue,
  data: DataAccess,
  options: WebhookJobOptions,
): Promise<void> {
  await boss.work<DeliveryJob>(DELIVERY_QUEUE, { localConcurrency: 4 }, async ([job]) => {
    const { appId, endpointId, messageId, body } = job!.data;
    const db = data.forApp(appId);
    const endpoint = await db
      .selectFrom('webhooks')
      .select(['url', 'secret', 'is_active'])
      .where('id', '=', endpointId)
      .executeTakeFirst();
    // Deleted or disabled since: nothing more to do.
    if (!endpoint?.is_active || !endpoint.secret) return;
    const outcome = await deliverWebhook(
      { url: endpoint.url, secret: endpoint.secret, messageId, body },
      options,
    );
    const log = { appId, endpointId, messageId, attempt: job!.retryCount + 1, ...outcome };
    switch (outcome.kind) {
      case 'delivered':
        return;
      case 'gone':
        await disable(db, endpointId);
        options.logger.info(log, 'webhook endpoint answered 410 Gone: disabled');
        return;
      case 'failed':
        options.logger.warn(log, 'webhook not delivered, and not retried');
        return;
      case 'retry':
        if (job!.retryCount < options.retryLimit)
          throw new Error(`webhook delivery failed: ${outcome.reason}`);
        await disable(db, endpointId);
        options.logger.warn(log, 'webhook endpoint failed every retry: disabled');
        return;
    }
  });
}
