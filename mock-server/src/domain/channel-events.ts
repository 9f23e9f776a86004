import type { ChannelEvent } from '@chat/protocol';
import { sql } from 'kysely';
import type { Db } from './actor';

/**
 * Appends an event to a channel's log inside the caller's transaction. Bumping `channels.seq`
 * takes the channel's row lock, so events of one channel get consecutive seqs in commit order:
 * what makes gap-free recovery with `since` possible.
 */
export async function appendChannelEvent<E extends ChannelEvent>(
  tx: Db,
  appId: string,
  channelId: string,
  build: (seq: number, now: string) => E,
): Promise<E> {
  const seq = await bumpSeq(tx, appId, channelId);
  const event = build(seq, new Date().toISOString());
  await recordChannelEvent(tx, appId, channelId, event);
  return event;
}

/** Stores an event built with a seq taken by `bumpSeq` in the same transaction. */
export async function recordChannelEvent(
  tx: Db,
  appId: string,
  channelId: string,
  event: ChannelEvent,
): Promise<void> {
  await tx
    .insertInto('channel_events')
    .values({
      app_id: appId,
      channel_id: channelId,
      seq: event.seq,
      type: event.type,
      payload: JSON.stringify(event),
    })
    .execute();
}

/** Takes the next seq of a channel (locking its row until the transaction ends). */
export async function bumpSeq(tx: Db, appId: string, channelId: string): Promise<number> {
  const row = await tx
    .updateTable('channels')
    .set({ seq: sql`seq + 1` })
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}
