import type { ChannelEvent } from '@chat/protocol';
import { sql } from 'kysely';
import type { AppDb } from '../store/app-scope';

/**
 * Appends an event to a channel's log inside the caller's transaction. Bumping `channels.seq`
 * takes the channel's row lock, so events of one channel get consecutive seqs in commit order:
 * what makes gap-free recovery with `since` possible.
 */
export async function appendChannelEvent<E extends ChannelEvent>(
  tx: AppDb,
  appId: string,
  channelId: string,
  build: (seq: number, now: string) => E,
): Promise<E> {
  const seq = await bumpSeq(tx, channelId);
  const event = build(seq, new Date().toISOString());
  await recordChannelEvent(tx, appId, channelId, event);
  return event;
}

/**
 * The most events a watch with `since` replays; past that the client gets fresh state instead.
 * So the log keeps at most about this many events per channel: older ones could never be replayed.
 */
export const MAX_REPLAY_EVENTS = 1_000;
/** Every this many events, a channel's log drops what fell out of the replay window. */
const TRIM_EVERY = 100;

/**
 * Stores an event built with a seq taken by `bumpSeq` in the same transaction. `visibleTo`: the
 * only user who may see it (a shadowed message's author); replays show the others a placeholder.
 */
export async function recordChannelEvent(
  tx: AppDb,
  appId: string,
  channelId: string,
  event: ChannelEvent,
  visibleTo: string | null = null,
): Promise<void> {
  await tx
    .insertInto('channel_events')
    .values({
      app_id: appId,
      channel_id: channelId,
      seq: event.seq,
      type: event.type,
      payload: JSON.stringify(event),
      ...(visibleTo && { visible_to: visibleTo }),
    })
    .execute();
  // A bounded delete on write keeps a busy channel's log to the replay window (at most
  // TRIM_EVERY rows, found by the primary key); age is pruned apart (jobs/event-log-retention.ts).
  if (event.seq % TRIM_EVERY === 0 && event.seq > MAX_REPLAY_EVENTS) {
    await tx
      .deleteFrom('channel_events')
      .where('channel_id', '=', channelId)
      .where('seq', '<=', event.seq - MAX_REPLAY_EVENTS)
      .execute();
  }
}

/**
 * Forgets what the log holds of a message that is about to change (an edit, a delete, a pin):
 * the events carrying it, or quoting it, keep it by id only, and replay reads it as it is then
 * (realtime/recovery.ts). So the log never keeps text an edit replaced or a delete took away, and
 * replay costs nothing extra for the messages that never changed. Runs in the change's
 * transaction, over the channel's log only (its primary key), at most the replay window.
 */
export async function forgetMessageContent(tx: AppDb, channelId: string, messageId: string) {
  await tx
    .updateTable('channel_events')
    .set({
      payload: sql`jsonb_set(payload, '{message}', jsonb_build_object('id', payload->'message'->'id'))`,
    })
    .where('channel_id', '=', channelId)
    .where(
      sql<boolean>`(payload->'message'->>'id' = ${messageId}
                    or payload->'message'->'quoted_message'->>'id' = ${messageId})`,
    )
    .execute();
}

/** A message event whose message the log keeps by id only (it changed since). */
export type LoggedMessageEvent = Omit<Extract<ChannelEvent, { message: unknown }>, 'message'> & {
  message: { id: string };
};

/** Takes the next seq of a channel (locking its row until the transaction ends). */
export async function bumpSeq(tx: AppDb, channelId: string): Promise<number> {
  const row = await tx
    .updateTable('channels')
    .set({ seq: sql`seq + 1` })
    .where('id', '=', channelId)
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}
