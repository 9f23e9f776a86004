import type { ListWebhookDeliveriesQuery, WebhookDelivery, WebhookEventType } from '@chat/protocol';
import { LIMITS } from '@chat/protocol';
import { sql } from 'kysely';
import { notFound } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import type { DeliveryState } from '../store/schema';
import type { DeliveryOutcome } from './deliver';

/** One endpoint's delivery log (`webhook_deliveries`): every event sent, its state and last attempt. */

const COLUMNS = [
  'id',
  'webhook_id',
  'message_id',
  'event_id',
  'event_type',
  'state',
  'attempts',
  'last_status',
  'last_latency_ms',
  'last_error',
  'replay_of',
  'created_at',
  'updated_at',
  'delivered_at',
] as const;

type DeliveryRow = {
  id: string;
  webhook_id: string;
  message_id: string;
  event_id: string;
  event_type: string;
  state: DeliveryState;
  attempts: number;
  last_status: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  replay_of: string | null;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
};

const iso = (value: Date | string) => new Date(value).toISOString();

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    message_id: row.message_id,
    event_id: row.event_id,
    event_type: row.event_type as WebhookEventType,
    state: row.state,
    attempts: row.attempts,
    last_status: row.last_status,
    last_latency_ms: row.last_latency_ms,
    last_error: row.last_error,
    replay_of: row.replay_of,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    delivered_at: row.delivered_at ? iso(row.delivered_at) : null,
  };
}

/** Newest first, a page at a time (`before`: the last id of the previous page). */
export async function listDeliveries(
  db: AppDb,
  webhookId: string,
  query: ListWebhookDeliveriesQuery,
): Promise<WebhookDelivery[]> {
  await requireEndpoint(db, webhookId);
  let select = db
    .selectFrom('webhook_deliveries')
    .select(COLUMNS)
    .where('webhook_id', '=', webhookId)
    .orderBy('n', 'desc')
    .limit(query.limit ?? LIMITS.PAGE_SIZE_DEFAULT);
  if (query.state) select = select.where('state', '=', query.state);
  if (query.before) {
    const before = await db
      .selectFrom('webhook_deliveries')
      .select('n')
      .where('id', '=', query.before)
      .where('webhook_id', '=', webhookId)
      .executeTakeFirst();
    if (!before) throw notFound('Delivery');
    select = select.where('n', '<', before.n);
  }
  return (await select.execute()).map(toDelivery);
}

export async function requireEndpoint(db: AppDb, webhookId: string): Promise<void> {
  const endpoint = await db
    .selectFrom('webhooks')
    .select('id')
    .where('id', '=', webhookId)
    .where('type', '=', 'event')
    .executeTakeFirst();
  if (!endpoint) throw notFound('Webhook');
}

/** What became of one delivery: an attempt's outcome, or given up on without one. */
export type DeliveryRecord =
  | { deliveryId: string; state: DeliveryState; outcome: DeliveryOutcome }
  | { deliveryId: string; state: 'failed'; abandoned: string };

/**
 * Records what became of a job's deliveries, in one transaction that does not wait for its
 * commit to reach the disk: losing it in a crash only means those deliveries are made again,
 * with the same `webhook-id` (delivery is at least once), and not waiting keeps the log's
 * bookkeeping from queueing behind the messages being sent.
 */
export async function recordDeliveries(db: AppDb, records: DeliveryRecord[]): Promise<void> {
  if (records.length === 0) return;
  const now = new Date();
  // One statement for all: each record a row of a VALUES list joined to its delivery.
  const rows = records.map((record) => {
    const attempted = 'abandoned' in record ? null : record.outcome;
    const status = attempted && 'status' in attempted ? (attempted.status ?? null) : null;
    const error =
      'abandoned' in record
        ? record.abandoned
        : 'reason' in record.outcome
          ? record.outcome.reason.slice(0, 500)
          : null;
    return sql`(${record.deliveryId}::uuid, ${record.state}::text, ${attempted ? 1 : 0}::int,
      ${status}::int, ${attempted?.latencyMs ?? null}::int, ${error}::text,
      ${record.state === 'delivered' ? now : null}::timestamptz)`;
  });
  const outcome = sql`(values ${sql.join(rows)})`.as<'v'>(
    sql`v(id, state, attempted, last_status, last_latency_ms, last_error, delivered_at)`,
  );
  await db.transaction().execute(async (tx) => {
    await sql`set local synchronous_commit = off`.execute(tx);
    await tx
      .updateTable('webhook_deliveries')
      .from(outcome)
      .set({
        state: sql`v.state`,
        attempts: sql`webhook_deliveries.attempts + v.attempted`,
        // A record without an attempt (given up on) keeps the last attempt's figures.
        last_status: sql`case when v.attempted = 1 then v.last_status else webhook_deliveries.last_status end`,
        last_latency_ms: sql`case when v.attempted = 1 then v.last_latency_ms else webhook_deliveries.last_latency_ms end`,
        last_error: sql`v.last_error`,
        updated_at: now,
        delivered_at: sql`coalesce(v.delivered_at, webhook_deliveries.delivered_at)`,
      })
      .whereRef('webhook_deliveries.id', '=', sql.ref('v.id'))
      .execute();
  });
}
