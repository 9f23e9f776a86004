import type { Db } from '../store/schema';
import { deleteOlderThan } from './batched-delete';

/**
 * Deletes channel events, and the application events of the outbox, older than `maxAgeMs`, in
 * bounded batches, and returns how many went.
 * A client away longer than that resumes with fresh state instead of a replay (the replay finds
 * a hole and says so). Per-channel count is bounded on write (events/channel-events.ts); this covers
 * the quiet channels whose logs no new event trims. Safe to run on several nodes at once.
 */
export async function pruneEventLog(db: Db, maxAgeMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  const channelEvents = await deleteOlderThan(db, 'channel_events', cutoff);
  const appEvents = await deleteOlderThan(db, 'outbox', cutoff);
  return channelEvents + appEvents;
}
