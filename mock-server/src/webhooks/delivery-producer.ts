import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { fromKysely } from 'pg-boss';
import type { WebhookReplayRequest } from '../events/app-events';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import type { JobQueue } from '../jobs/job-queue';
import { type AppDb, scopeToApp } from '../store/app-scope';
import type { Database } from '../store/schema';
import { DELIVERY_QUEUE, type DeliveryJob } from './delivery-queue';
import { deliveryOf, wants } from './payload';

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
