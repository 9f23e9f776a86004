import type { ChannelEvent } from '@chat/protocol';
import type { Db } from '../domain/actor';
import type { ChannelAccess } from '../domain/channel-access';
import { type LoggedMessageEvent, MAX_REPLAY_EVENTS } from '../domain/channel-events';
import { toMessages } from '../domain/views';

export { MAX_REPLAY_EVENTS };

/**
 * The events of a channel after `since`, in seq order, showing what a fresh read shows now: the
 * messages they carry are read as they are today (a deleted one as deleted, an edited one with
 * its current text), never as they were when the event happened. Null when the client should
 * reload instead: the gap is too large or no longer kept (the log is pruned), `since` is ahead
 * of the channel (the client saw another channel's history), or a truncate happened in the gap
 * (what it hid must not come back through the events before it; fresh state shows exactly what
 * is left).
 */
export async function replaySince(
  db: Db,
  appId: string,
  access: ChannelAccess,
  since: number,
  currentSeq: number,
): Promise<ChannelEvent[] | null> {
  if (since > currentSeq || currentSeq - since > MAX_REPLAY_EVENTS) return null;
  if (since === currentSeq) return [];
  const { channel } = access;
  const rows = await db
    .selectFrom('channel_events')
    .select(['seq', 'payload'])
    .where('app_id', '=', appId)
    .where('channel_id', '=', channel.id)
    .where('seq', '>', since)
    .where('seq', '<=', currentSeq)
    .orderBy('seq')
    .execute();
  // A hole would mean lost history: never hand the client a silent gap.
  if (rows.length !== currentSeq - since) return null;
  const logged = rows.map((r) => r.payload as unknown as ChannelEvent | LoggedMessageEvent);
  if (logged.some((e) => e.type === 'channel.truncated')) return null;

  const ids = [...new Set(logged.flatMap((e) => ('message' in e ? [e.message.id] : [])))];
  if (ids.length === 0) return logged as ChannelEvent[];
  const messageRows = await db
    .selectFrom('messages')
    .selectAll()
    .where('app_id', '=', appId)
    .where('channel_id', '=', channel.id)
    .where('id', 'in', ids)
    .execute();
  const truncatedAt = channel.truncated_at ? new Date(channel.truncated_at).getTime() : null;
  const hidden = (created: Date | string) =>
    truncatedAt !== null && new Date(created).getTime() <= truncatedAt;
  if (messageRows.length !== ids.length || messageRows.some((m) => hidden(m.created_at))) return null;
  // Like live events, replayed ones carry no viewer's own reactions.
  const messages = await toMessages(db, appId, messageRows, () => access.cid, null);
  const byId = new Map(messages.map((m) => [m.id, m]));
  return logged.map((e) => ('message' in e ? { ...e, message: byId.get(e.message.id)! } : e) as ChannelEvent);
}
