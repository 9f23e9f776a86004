import { sql } from 'kysely';
import type { Db } from '../store/schema';

/** Rows one prune statement deletes at most, so a long backlog never holds locks for long. */
const BATCH = 5_000;

/**
 * Deletes channel events older than `maxAgeMs`, in bounded batches, and returns how many went.
 * A client away longer than that resumes with fresh state instead of a replay (the replay finds
 * a hole and says so). Per-channel count is bounded on write (events/channel-events.ts); this covers
 * the quiet channels whose logs no new event trims. Safe to run on several nodes at once.
 */
export async function pruneEventLog(db: Db, maxAgeMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from channel_events where ctid in (
        select ctid from channel_events where created_at < ${cutoff} limit ${BATCH}
      )`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}
