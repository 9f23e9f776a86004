import { LIMITS, type ReplayWebhookEventsBody, type WebhookDelivery } from '@chat/protocol';
import { recordAppEvent } from '../events/app-events';
import { eventsBetween, type FeedEvent } from '../jobs/event-feed';
import { notFound } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import { requireEndpoint, toDelivery } from './delivery-log';
import { deliveryOf, wants } from './payload';

/**
 * Replays: new entries in the delivery log, with the same `webhook-id` as the original (a
 * receiver that already handled the event drops it), queued by the webhooks' feed consumer when
 * it reads the replay request this writes to the outbox. So the API needs no job queue, and a
 * replay asked for survives a crash.
 */

/** Sends one delivery again, whatever its state, as it was first sent. */
export async function replayDelivery(
  db: AppDb,
  appId: string,
  webhookId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  return db.transaction().execute(async (tx) => {
    await requireEndpoint(tx, webhookId);
    const original = await tx
      .selectFrom('webhook_deliveries')
      .select(['message_id', 'event_id', 'event_type', 'body'])
      .where('id', '=', deliveryId)
      .where('webhook_id', '=', webhookId)
      .executeTakeFirst();
    if (!original) throw notFound('Delivery');
    const row = await tx
      .insertInto('webhook_deliveries')
      .values({ app_id: appId, webhook_id: webhookId, replay_of: deliveryId, ...original })
      .returningAll()
      .executeTakeFirstOrThrow();
    await requestDelivery(tx, appId, [row.id]);
    return toDelivery(row);
  });
}

/**
 * Sends the endpoint every event of [since, until) it subscribes to, whether or not it was sent
 * before (events while it was disabled included), in commit order. At most
 * `WEBHOOK_REPLAY_EVENTS_MAX` events a call; `next_since` says where to go on. Events are there
 * as long as the event log keeps them (`CHAT_EVENT_LOG_DAYS`).
 */
export async function replayEvents(
  db: AppDb,
  appId: string,
  webhookId: string,
  body: ReplayWebhookEventsBody,
): Promise<{ queued: number; next_since: string | null }> {
  const since = new Date(body.since);
  const until = body.until ? new Date(body.until) : new Date();
  return db.transaction().execute(async (tx) => {
    const endpoint = await tx
      .selectFrom('webhooks')
      .select(['id', 'events'])
      .where('id', '=', webhookId)
      .where('type', '=', 'event')
      .executeTakeFirst();
    if (!endpoint) throw notFound('Webhook');
    const limit = LIMITS.WEBHOOK_REPLAY_EVENTS_MAX;
    let events = await eventsBetween(tx, appId, since, until, limit);
    let nextSince: string | null = null;
    if (events.length === limit) {
      // The next call starts at the last event's time: leave the events of that time to it, so
      // none is queued twice (unless the whole page shares one time).
      const last = events.at(-1)!.createdAt.getTime();
      const before = events.filter((event) => event.createdAt.getTime() < last);
      if (before.length > 0) events = before;
      nextSince = new Date(before.length > 0 ? last : last + 1).toISOString();
    }
    const wanted = events.filter((event: FeedEvent) => wants(endpoint.events, event));
    if (wanted.length === 0) return { queued: 0, next_since: nextSince };
    const rows = await tx
      .insertInto('webhook_deliveries')
      .values(wanted.map((event) => ({ app_id: appId, ...deliveryOf(event, webhookId) })))
      .returning('id')
      .execute();
    await requestDelivery(
      tx,
      appId,
      rows.map((row) => row.id),
    );
    return { queued: rows.length, next_since: nextSince };
  });
}

function requestDelivery(tx: AppDb, appId: string, deliveryIds: string[]): Promise<void> {
  return recordAppEvent(tx, appId, {
    type: 'internal.webhook_replay',
    created_at: new Date().toISOString(),
    delivery_ids: deliveryIds,
  });
}
