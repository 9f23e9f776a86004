import { sql } from 'kysely';
import type { Db } from '../store/schema';
import { deleteInBatches } from './batched-delete';

/**
 * Deletes webhook delivery log entries older than `maxAgeMs` that are settled (delivered or
 * failed), in bounded batches; answers how many went. One still being retried stays.
 */
export async function pruneWebhookLog(db: Db, maxAgeMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  return deleteInBatches(
    db,
    (limit) => sql`
      delete from webhook_deliveries where ctid in (
        select ctid from webhook_deliveries
         where created_at < ${cutoff} and state in ('delivered', 'failed')
         limit ${limit}
      )`,
  );
}
