import type { JobQueue } from '../jobs/job-queue';

/**
 * Pushes ride on the event feed and the job queue, as webhooks do: the feed's `push` consumer
 * turns each new message of an application with push turned on into one job (and each read of a
 * channel whose pushes a device still shows into a silent clearing job), in the
 * transaction that moves its cursor (so a crash neither loses nor repeats one); a worker finds
 * who gets a push when it runs the job (members but the sender, with no live socket on any node,
 * who have not muted the channel and are not banned), records a send per device in
 * `push_sends` (so a retried job pushes nothing twice), and sends. A push service that answers
 * 429 or 5xx (or none) makes the job retry the pushes still pending, no sooner than its
 * `Retry-After`; 404 or 410 removes the device (its subscription is gone).
 */
export const PUSH_QUEUE = 'push-message';

/** A push job: a new message to push, or a read that clears what was pushed. */
export type PushJob = MessagePushJob | ReadPushJob;

export interface MessagePushJob {
  /** Absent on jobs queued before reads were pushed. */
  kind?: 'message';
  appId: string;
  /** The feed event's id: the key of its sends. */
  eventId: string;
  channelId: string;
  cid: string;
  messageId: string;
  /** The sender's own id (`user.id`): the sender gets no push. */
  senderId: string;
  senderName: string;
  /** The start of the text (what the notification shows). */
  preview: string;
  /** The users it mentions (their own ids): a mention gets through "mentions only". */
  mentioned?: string[];
  /** A thread reply's parent: the push goes to the thread's participants. */
  parentId?: string | null;
}

export interface ReadPushJob {
  kind: 'read';
  appId: string;
  eventId: string;
  channelId: string;
  cid: string;
  /** Who read (their own id): their devices shown something of the channel are cleared. */
  userId: string;
}

/** Retries of a job with pushes pending: backoff from 5 s, at most an hour apart. */
const RETRY = { retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 3600 };

export async function createPushQueue(boss: JobQueue): Promise<void> {
  const exists = (await boss.getQueues()).some((queue) => queue.name === PUSH_QUEUE);
  const settings = { ...RETRY, heartbeatSeconds: 30, expireInSeconds: 15 * 60 };
  if (exists) await boss.updateQueue(PUSH_QUEUE, settings);
  else await boss.createQueue(PUSH_QUEUE, { policy: 'standard', ...settings });
}
