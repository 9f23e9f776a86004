import { sql } from 'kysely';
import type { Db } from '../store/schema';
import { deleteInBatches } from './batched-delete';

/**
 * Deletes channel events older than `maxAgeMs`, in bounded batches, and returns how many went.
 * A client away longer than that resumes with fresh state instead of a replay (the replay finds
 * a hole and says so). Per-channel count is bounded on write (events/channel-events.ts); this covers
 * the quiet channels whose logs no new event trims. Safe to run on several nodes at once.
 */
export async function pruneEventLog(db: Db, maxAgeMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  return deleteInBatches(
    db,
    (limit) => sql`
      delete from channel_events where ctid in (
        select ctid from channel_events where created_at < ${cutoff} limit ${limit}
      )`,
  );
}
