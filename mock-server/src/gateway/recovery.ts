import type { ChatEvent } from '@chat/protocol';
import type { Db } from '../domain/actor';

/** The most events a watch with `since` replays; past that the client gets fresh state instead. */
export const MAX_REPLAY_EVENTS = 1_000;

/**
 * The events of a channel after `since`, in seq order, or null when the client should reload
 * instead (the gap is too large, or `since` is ahead of the channel, which means the client
 * saw another channel's history or a truncated log).
 */
export async function replaySince(
  db: Db,
  appId: string,
  channelId: string,
  since: number,
  currentSeq: number,
): Promise<ChatEvent[] | null> {
  if (since > currentSeq || currentSeq - since > MAX_REPLAY_EVENTS) return null;
  if (since === currentSeq) return [];
  const rows = await db
    .selectFrom('channel_events')
    .select(['seq', 'payload'])
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('seq', '>', since)
    .where('seq', '<=', currentSeq)
    .orderBy('seq')
    .execute();
  // A hole would mean lost history: never hand the client a silent gap.
  if (rows.length !== currentSeq - since) return null;
  return rows.map((r) => r.payload as unknown as ChatEvent);
}
