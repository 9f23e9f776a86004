import type {
  ModerationActionEvent,
  UserCreatedEvent,
  UserUpdatedEvent,
  WebhookDisabledEvent,
} from '@chat/protocol';
import type { AppDb } from '../store/app-scope';

/**
 * Events that belong to an application rather than to one channel. They are written to the
 * outbox inside the caller's transaction, and the event feed (jobs/event-feed.ts) reads them in
 * commit order together with the channel event log.
 */
export type AppEvent =
  | UserCreatedEvent
  | UserUpdatedEvent
  | WebhookDisabledEvent
  // Every moderation audit record: domain/moderation/audit-log.ts.
  | ModerationActionEvent
  | WebhookReplayRequest
  | UploadProcessRequest
  | UploadsDeleteRequest
  | LinkPreviewsRequest;

/**
 * Internal: deliveries created by a replay (REST), for the webhooks' feed consumer to queue. It
 * goes through the feed so the API needs no job queue and the request survives a crash.
 */
export interface WebhookReplayRequest {
  type: 'internal.webhook_replay';
  created_at: string;
  delivery_ids: string[];
}

/** Internal: an upload completed that needs processing (an image), for the media jobs. */
export interface UploadProcessRequest {
  type: 'internal.upload_process';
  created_at: string;
  upload_id: string;
}

/**
 * Internal: uploads whose message was deleted (or that an edit took off it): their bytes and
 * rows go, by a job.
 */
export interface UploadsDeleteRequest {
  type: 'internal.uploads_delete';
  created_at: string;
  upload_ids: string[];
}

/** Internal: a message was sent or edited with links, for the link preview job. */
export interface LinkPreviewsRequest {
  type: 'internal.link_previews';
  created_at: string;
  message_id: string;
}

/** Types that stay inside the server: never sent to a webhook. */
export const isInternalEvent = (type: string) => type.startsWith('internal.');

export async function recordAppEvent(tx: AppDb, appId: string, event: AppEvent): Promise<void> {
  await tx
    .insertInto('outbox')
    .values({ app_id: appId, topic: event.type, payload: JSON.stringify(event) })
    .execute();
}
