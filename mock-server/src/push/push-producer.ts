import type { EventOf } from '@chat/protocol';
import { fromKysely } from 'pg-boss';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import type { JobQueue } from '../jobs/job-queue';
import { type AppDb, scopeToApp } from '../store/app-scope';
import { PUSH_QUEUE, type PushJob } from './push-queue';

type MessageEvent = FeedEvent & { channelId: string; event: EventOf<'message.new'> };
type ReadEvent = FeedEvent & { channelId: string; event: EventOf<'message.read'> };

/** Characters of the message text a push carries at most. */
const PREVIEW_LENGTH = 200;

/**
 * The feed consumer that queues a push job per new message of an app with push on, and a clearing
 * job per read of a channel that one of the reader's devices was pushed about and still shows.
 */
export function pushProducer(boss: JobQueue): FeedConsumer {
  return {
    name: 'push',
    // Pushes are about now: a first start does not push history.
    from: 'now',
    async handle(tx, events) {
      const messages = events.filter(
        // System messages report changes to the channel: they push nobody.
        (e): e is MessageEvent =>
          e.event.type === 'message.new' && e.channelId !== null && e.event.message.type !== 'system',
      );
      const reads = events.filter(
        (e): e is ReadEvent => e.event.type === 'message.read' && e.channelId !== null,
      );
      if (messages.length === 0 && reads.length === 0) return;
      const jobs: PushJob[] = [];
      for (const appId of new Set([...messages, ...reads].map((e) => e.appId))) {
        const db = scopeToApp(tx, appId);
        const on = await db.selectFrom('push_providers').select('provider').execute();
        if (on.length === 0) continue;
        for (const { id, channelId, event } of messages.filter((e) => e.appId === appId)) {
          const { message } = event;
          jobs.push({
            appId,
            eventId: id,
            channelId,
            cid: event.cid,
            messageId: message.id,
            senderId: message.user.id,
            senderName: message.user.name ?? message.user.id,
            preview: [...(message.text ?? '')].slice(0, PREVIEW_LENGTH).join(''),
            mentioned: message.mentioned_user_ids ?? [],
            parentId: message.parent_id,
          });
        }
        for (const { id, channelId, event } of reads.filter((e) => e.appId === appId)) {
          if (await shownSince(db, channelId, event.user.id))
            jobs.push({ kind: 'read', appId, eventId: id, channelId, cid: event.cid, userId: event.user.id });
        }
      }
      if (jobs.length === 0) return;
      await boss.insert(
        PUSH_QUEUE,
        jobs.map((data) => ({ data })),
        { db: fromKysely(tx) },
      );
    },
  };
}

/**
 * Whether a device of the user shows (or is being sent) a push about the channel that no read
 * cleared yet.
 */
async function shownSince(db: AppDb, channelId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('push_sends as s')
    .innerJoin('app_user_devices as d', 'd.id', 's.device_id')
    .innerJoin('app_users as u', 'u.id', 'd.app_user_id')
    .select('s.device_id')
    .where('s.channel_id', '=', channelId)
    .where('s.state', 'in', ['pending', 'sent'])
    .where('s.cleared_at', 'is', null)
    .where('u.external_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
