import type { ChannelEvent, Message } from '@chat/protocol';
import type { ChannelAccess } from '../domain/channels/channel-access';
import { toMessages } from '../domain/views';
import { type LoggedMessageEvent, MAX_REPLAY_EVENTS } from '../events/channel-events';
import type { AppDb } from '../store/app-scope';
import { sightOf, type Viewer, withoutQuote } from './hidden-events';

export { MAX_REPLAY_EVENTS };

type Logged = ChannelEvent | LoggedMessageEvent;

/** An event of the log, with the only user who may see it (a shadowed message's author), if any. */
export interface ReplayedEvent {
  event: ChannelEvent;
  visibleTo: string | null;
}

/**
 * The events of a channel after `since`, in seq order, showing what a fresh read shows now:
 * a message that changed since its event (the log then keeps it by id, see
 * `forgetMessageContent`) is read as it is today (a deleted one as deleted, an edited one with its
 * current text), never as it was. Null when the client should reload instead: the gap is too
 * large or no longer kept (the log is pruned), `since` is ahead of the channel (the client saw
 * another channel's history), or a truncate is in the gap, or an event carries a message the
 * truncate hid (what it hid must not come back; fresh state shows exactly what is left).
 */
export async function replaySince(
  db: AppDb,
  access: Pick<ChannelAccess, 'channel' | 'cid'>,
  since: number,
  currentSeq: number,
  viewer: Viewer,
): Promise<ChannelEvent[] | null> {
  const replayed = await replayLogSince(db, access, since, currentSeq);
  return replayed?.map((r) => asSeenBy(r, viewer)) ?? null;
}

/**
 * What `viewer` is shown of an event (realtime/hidden-events.ts): one only another user may see
 * (a shadowed message), or one carrying a message of a user the viewer blocked, becomes
 * `event.hidden` with the same seq, so the viewer's client advances past it instead of asking for
 * the gap again; a quote of a blocked user's message is left out.
 */
export function asSeenBy({ event, visibleTo }: ReplayedEvent, viewer: Viewer): ChannelEvent {
  const sight = sightOf(event.type, event, visibleTo, viewer);
  if (sight === 'hidden')
    return { type: 'event.hidden', cid: event.cid, seq: event.seq, created_at: event.created_at };
  return sight === 'unquoted' ? withoutQuote(event) : event;
}

/** `replaySince` for every viewer at once: the events with who may see them (realtime/catch-up.ts). */
export async function replayLogSince(
  db: AppDb,
  access: Pick<ChannelAccess, 'channel' | 'cid'>,
  since: number,
  currentSeq: number,
): Promise<ReplayedEvent[] | null> {
  if (since > currentSeq || currentSeq - since > MAX_REPLAY_EVENTS) return null;
  if (since === currentSeq) return [];
  const { channel } = access;
  const rows = await db
    .selectFrom('channel_events')
    .select(['seq', 'payload', 'visible_to'])
    .where('channel_id', '=', channel.id)
    .where('seq', '>', since)
    .where('seq', '<=', currentSeq)
    .orderBy('seq')
    .execute();
  // A hole would mean lost history: never hand the client a silent gap.
  if (rows.length !== currentSeq - since) return null;
  const logged = rows.map((r) => r.payload as unknown as Logged);
  if (logged.some((e) => e.type === 'channel.truncated')) return null;

  const changed = [...new Set(logged.flatMap((e) => (isForgotten(e) ? [e.message.id] : [])))];
  const current = changed.length ? await currentMessages(db, access, changed) : new Map();
  if (current === null) return null;
  const events = logged.map((e) => (isForgotten(e) ? { ...e, message: current.get(e.message.id)! } : e));
  const truncatedAt = channel.truncated_at ? new Date(channel.truncated_at).getTime() : null;
  const hidden = (message: Message) =>
    truncatedAt !== null && new Date(message.created_at).getTime() <= truncatedAt;
  if (events.some((e) => 'message' in e && hidden(e.message))) return null;
  return (events as ChannelEvent[]).map((event, i) => ({ event, visibleTo: rows[i]!.visible_to }));
}

function isForgotten(event: Logged): event is LoggedMessageEvent {
  return 'message' in event && !('created_at' in event.message);
}

/** The messages as they are now, by id; null if one is gone (the client should reload). */
async function currentMessages(db: AppDb, access: Pick<ChannelAccess, 'channel' | 'cid'>, ids: string[]) {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('channel_id', '=', access.channel.id)
    .where('id', 'in', ids)
    .execute();
  if (rows.length !== ids.length) return null;
  // Like live events, replayed ones carry no viewer's own reactions.
  const messages = await toMessages(db, rows, () => access.cid, null);
  return new Map(messages.map((m) => [m.id, m]));
}
