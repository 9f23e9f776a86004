import type { EventOf } from '@chat/protocol';
import { fromKysely } from 'pg-boss';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import type { JobQueue } from '../jobs/job-queue';
import { scopeToApp } from '../store/app-scope';
import { PUSH_QUEUE, type PushJob } from './push-queue';

/** Characters of the message text a push carries at most. */
const PREVIEW_LENGTH = 200;

/** The feed consumer that queues a push job per new top-level message of an app with push on. */
export function pushProducer(boss: JobQueue): FeedConsumer {
  return {
    name: 'push',
    // Pushes are about now: a first start does not push history.
    from: 'now',
    async handle(tx, events) {
      const messages = events.filter(
        (e): e is FeedEvent & { channelId: string; event: EventOf<'message.new'> } =>
          e.event.type === 'message.new' && e.channelId !== null && !e.event.message.parent_id,
      );
      if (messages.length === 0) return;
      const jobs: PushJob[] = [];
      for (const appId of new Set(messages.map((e) => e.appId))) {
        const on = await scopeToApp(tx, appId).selectFrom('push_providers').select('provider').execute();
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
          });
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
