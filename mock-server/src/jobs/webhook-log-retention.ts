import { sql } from 'kysely';
import type { Db } from '../store/schema';
import { deleteOlderThan } from './batched-delete';

/**
 * Deletes webhook delivery log entries older than `maxAgeMs` that are settled (delivered or
 * failed), in bounded batches; answers how many went. One still being retried stays.
 */
export async function pruneWebhookLog(db: Db, maxAgeMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  return deleteOlderThan(db, 'webhook_deliveries', cutoff, sql`state in ('delivered', 'failed')`);
}
