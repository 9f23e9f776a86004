import type { Logger } from 'pino';
import type { Db } from '../store/schema';
import { deleteOlderThan } from './batched-delete';
import { pruneEventLog } from './event-log-retention';
import type { JobQueue } from './job-queue';
import { pruneLinkPreviewCache } from './link-preview-cache-retention';
import { pruneRefreshTokens } from './refresh-token-retention';
import { pruneWebhookLog } from './webhook-log-retention';

export interface RetentionOptions {
  /** How long the channel event log (and the outbox's app events) keep events for replay. */
  eventLogMaxAgeMs: number;
  /** How long the webhook delivery log keeps settled deliveries. */
  webhookLogMaxAgeMs: number;
}

interface RetentionJob {
  /** The queue's name. */
  name: string;
  /** When it runs (cron, UTC). */
  cron: string;
  /** One pass; returns how many rows went. */
  run(db: Db, options: RetentionOptions): Promise<number>;
}

const DAY_MS = 24 * 3600 * 1000;

/** What grows without bound unless something deletes it, and when each is trimmed. */
export const RETENTION_JOBS: readonly RetentionJob[] = [
  {
    name: 'retention-event-log',
    cron: '*/10 * * * *',
    run: (db, options) => pruneEventLog(db, options.eventLogMaxAgeMs),
  },
  {
    name: 'retention-refresh-tokens',
    cron: '17 * * * *',
    // A day past expiry: a client whose clock is off still hears "expired", not "unknown".
    run: (db) => pruneRefreshTokens(db, DAY_MS),
  },
  {
    name: 'retention-webhook-log',
    cron: '37 * * * *',
    run: (db, options) => pruneWebhookLog(db, options.webhookLogMaxAgeMs),
  },
  {
    name: 'retention-push-sends',
    cron: '47 * * * *',
    // A push job retries for a few hours at most: a week is plenty to find out what was sent.
    run: (db) => deleteOlderThan(db, 'push_sends', new Date(Date.now() - 7 * DAY_MS)),
  },
  {
    name: 'retention-link-preview-cache',
    cron: '27 * * * *',
    run: (db) => pruneLinkPreviewCache(db),
  },
];

/**
 * Creates the retention queues and their schedules. Safe on every node at every start: the
 * queues and schedules are upserted, and each queue is a singleton (one pass at a time, however
 * many workers), retried with backoff when a pass fails.
 */
export async function scheduleRetention(boss: JobQueue): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
  for (const job of RETENTION_JOBS) {
    if (!existing.has(job.name)) {
      await boss.createQueue(job.name, {
        policy: 'singleton',
        retryLimit: 3,
        retryBackoff: true,
        expireInSeconds: 15 * 60,
      });
    }
    await boss.schedule(job.name, job.cron);
  }
}

/** Works the retention queues on this node (a worker). */
export async function workRetention(
  boss: JobQueue,
  db: Db,
  options: RetentionOptions,
  logger: Logger,
): Promise<void> {
  for (const job of RETENTION_JOBS) {
    await boss.work(job.name, async () => {
      const deleted = await job.run(db, options);
      if (deleted > 0) logger.info({ job: job.name, deleted }, 'retention pass');
    });
  }
}
