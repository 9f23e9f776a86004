import { createHash } from 'node:crypto';
import { isInternalEvent } from '../events/app-events';
import type { FeedEvent } from '../jobs/event-feed';

/** The body receivers get: Standard Webhooks' `{ type, timestamp, data }`. */
export function bodyOf(event: FeedEvent): string {
  return JSON.stringify({
    type: event.event.type,
    timestamp: event.createdAt.toISOString(),
    data: event.event,
  });
}

/**
 * The `webhook-id`: the same for every attempt and replay of one event to one endpoint, so a
 * receiver can drop a repeat. `msg_` and 32 hex digits.
 */
export function messageIdOf(eventId: string, endpointId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\n${endpointId}`).digest('hex').slice(0, 32)}`;
}

/** Whether an endpoint subscribed to `events` (empty: all) is sent this event. */
export function wants(events: readonly string[], event: FeedEvent): boolean {
  const type = event.event.type;
  if (isInternalEvent(type)) return false;
  return events.length === 0 || events.includes(type);
}

/** What the delivery log stores of one event for one endpoint. */
export function deliveryOf(event: FeedEvent, endpointId: string) {
  return {
    webhook_id: endpointId,
    message_id: messageIdOf(event.id, endpointId),
    event_id: event.id,
    event_type: event.event.type,
    body: bodyOf(event),
  };
}
