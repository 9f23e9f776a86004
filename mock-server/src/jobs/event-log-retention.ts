import { sql } from 'kysely';
import type { Db } from '../store/schema';
import { deleteInBatches } from './batched-delete';

/**
 * Deletes channel events, and the application events of the outbox, older than `maxAgeMs`, in
 * bounded batches, and returns how many went.
 * A client away longer than that resumes with fresh state instead of a replay (the replay finds
 * a hole and says so). Per-channel count is bounded on write (events/channel-events.ts); this covers
 * the quiet channels whose logs no new event trims. Safe to run on several nodes at once.
 */
export async function pruneEventLog(db: Db, maxAgeMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  const channelEvents = await deleteInBatches(
    db,
    (limit) => sql`
      delete from channel_events where ctid in (
        select ctid from channel_events where created_at < ${cutoff} limit ${limit}
      )`,
  );
  const appEvents = await deleteInBatches(
    db,
    (limit) => sql`
      delete from outbox where ctid in (
        select ctid from outbox where created_at < ${cutoff} limit ${limit}
      )`,
  );
  return channelEvents + appEvents;
}
