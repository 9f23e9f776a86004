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

/**
 * Lanes of one endpoint's channel events. A channel's deliveries always take the same lane, in
 * order; the lanes of an endpoint go side by side, so at most this many of its deliveries are
 * under way at once. A bounded number (rather than a lane per channel) keeps the queue's
 * strict-FIFO bookkeeping and its jobs few however many channels are busy, and lets one job carry
 * several channels' deliveries; the price is that a delivery waiting for its retry holds back the
 * channels that share its lane (1 in 16), not only its own.
 */
export const LANES_PER_ENDPOINT = 16;

/** The lane of a channel's events (FNV-1a of its id), or of the application's own events. */
function laneOf(channelId: string | null): string {
  if (channelId === null) return 'app';
  let hash = 0x811c9dc5;
  for (let i = 0; i < channelId.length; i++) hash = Math.imul(hash ^ channelId.charCodeAt(i), 0x01000193);
  return String((hash >>> 0) % LANES_PER_ENDPOINT);
}

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
  deliveryId: string;
  /** Deliveries of one key go strictly in order. */
  key: string;
  /** A live delivery's lane (not a replay's). */
  lane?: DeliveryJob['lane'];
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
  const lanes: DeliveryJob['lane'][] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (!wants(endpoint.events, event) || event.createdAt < new Date(endpoint.created_at)) continue;
      const lane = laneOf(event.channelId);
      rows.push({ app_id: appId, ...deliveryOf(event, endpoint.id), lane });
      keys.push(`${endpoint.id}:${lane}`);
      lanes.push({ webhookId: endpoint.id, lane });
    }
  }
  for (let at = 0; at < rows.length; at += INSERT_CHUNK) {
    const ids = await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(at, at + INSERT_CHUNK))
      .returning('id')
      .execute();
    for (const [i, row] of ids.entries())
      queued.push({ appId, deliveryId: row.id, key: keys[at + i]!, lane: lanes[at + i] });
  }
  if (replays.length > 0) {
    const replayed = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'webhook_id'])
      .where('id', 'in', replays)
      .orderBy('n')
      .execute();
    // A replay has a lane of its own per endpoint: it never holds back live deliveries.
    for (const row of replayed) queued.push({ appId, deliveryId: row.id, key: `${row.webhook_id}:replay` });
  }
  return queued;
}

/** One job per lane (up to `DELIVERIES_PER_JOB` deliveries each), in the order given. */
async function queueDeliveries(boss: JobQueue, tx: Transaction<Database>, queued: QueuedDelivery[]) {
  if (queued.length === 0) return;
  const lanes = new Map<string, (QueuedDelivery & { deliveryIds: string[] })[]>();
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
      data: {
        appId: job.appId,
        deliveryIds: job.deliveryIds,
        ...(job.lane && { lane: job.lane }),
      } satisfies DeliveryJob,
      singletonKey: job.key,
    })),
    { db: fromKysely(tx) },
  );
}
