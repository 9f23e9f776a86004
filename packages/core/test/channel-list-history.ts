import type { ChatEvent, Message } from '@chat/protocol';
import { type ChannelListState, mergeEntries } from '../src/state/channel-list';
import { channel, member, message, T0 } from './channel-fixtures';
import { connectionOk } from './frames';
import type { Random } from './random';

export const ME = 'alice';
const CIDS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'].map((id) => `messaging:${id}`);
const ref = (id: string) => ({ id, name: null, image: null, online: true });
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** Seconds after T0: few distinct values, so channels often tie on their last activity. */
const at = (second: number) => new Date(Date.parse(T0) + second * 1000).toISOString();

/**
 * A server that makes up a random stream of what the channel list follows, for channels the
 * client does not watch (so only the list sees them): new messages (own, others', thread
 * replies), notifications, additions (some muted), mutes and unmutes, reads, deletions, removals,
 * a reconnect's `connection.ok`, and events the list ignores. Times mostly move on, sometimes stand still or go back a little,
 * so moves, ties and late messages all occur. Every event is valid on the wire.
 */
export function listHistory(random: Random, count: number): ChatEvent[] {
  let seq = 0;
  let clock = 10;
  const events: ChatEvent[] = [];
  const about = (cid: string) => ({ cid, seq: ++seq, created_at: at(clock) });
  const channelOf = (cid: string, lastMessageAt: string | null) => ({
    ...channel(seq),
    cid,
    id: cid.slice(cid.indexOf(':') + 1),
    last_message_at: lastMessageAt,
    created_at: at(random.int(5)),
  });
  const messageIn = (cid: string, userId: string): Message =>
    message(seq, {
      id: uuid(seq),
      cid,
      user_id: userId,
      user: ref(userId),
      parent_id: random.chance(0.15) ? uuid(1) : null,
      created_at: at(clock + random.int(3) - 1),
    });
  for (let i = 0; i < count; i++) {
    if (random.chance(0.5)) clock += 1;
    const cid = random.pick(CIDS);
    const kind = random.int(20);
    if (kind < 6) {
      const base = about(cid);
      events.push({ type: 'message.new', ...base, message: messageIn(cid, random.pick([ME, 'bob'])) });
    } else if (kind < 8) {
      const base = about(cid);
      const unread_count = random.int(5);
      events.push({
        type: 'notification.message_new',
        ...base,
        message: messageIn(cid, 'bob'),
        unread_count,
        total_unread_count: unread_count + random.int(10),
      });
    } else if (kind < 11) {
      const base = about(cid);
      const last = random.chance(0.8) ? at(clock - random.int(4)) : null;
      events.push({
        type: 'notification.added_to_channel',
        ...base,
        channel: channelOf(cid, last),
        member: { ...member(ME), cid, unread_count: random.int(4), muted: random.chance(0.25) },
        // Servers before `members` send none; the first members include the user or not.
        ...(random.chance(0.7) && {
          members: ['bob', ME, 'carol', 'dave', 'erin']
            .slice(0, 1 + random.int(5))
            .map((id) => ({ ...member(id), cid })),
        }),
      });
    } else if (kind < 14) {
      const user = ref(random.chance(0.7) ? ME : 'bob');
      events.push({ type: 'message.read', ...about(cid), user, last_read_message_id: null });
    } else if (kind < 15) {
      events.push({ type: 'channel.deleted', ...about(cid), channel: channelOf(cid, null) });
    } else if (kind < 17) {
      events.push({ type: 'member.removed', ...about(cid), user_id: random.chance(0.6) ? ME : 'bob' });
    } else if (kind < 18) {
      const ok = connectionOk();
      events.push({ ...ok, unread: { ...ok.unread, total_unread_count: random.int(30) } });
    } else if (kind < 19) {
      const userId = random.chance(0.7) ? ME : 'bob';
      events.push({
        type: 'member.updated',
        ...about(cid),
        member: { ...member(userId), cid, muted: random.chance(0.5) },
      });
    } else {
      events.push({
        type: 'typing.start',
        cid,
        seq,
        created_at: at(clock),
        user: ref('bob'),
        parent_id: null,
      });
    }
  }
  return events;
}

/**
 * The channel list as it was kept before batching, as the reference: each event on its own, the
 * whole list re-sorted after every change (`mergeEntries` sorts).
 */
export function applyOneByOne(state: ChannelListState, event: ChatEvent): ChannelListState {
  const { entries, unreadTotal } = state;
  const find = (cid: string) => entries.find((e) => e.cid === cid);
  const moved = (m: Message, unread: (before: number) => number) => {
    const entry = find(m.cid);
    if (!entry || m.parent_id !== null) return entries;
    const channel = { ...entry.channel, last_message_at: m.created_at };
    return mergeEntries(entries, [
      { ...entry, channel, lastMessage: m, unreadCount: unread(entry.unreadCount) },
    ]);
  };
  const without = (cid: string) => entries.filter((e) => e.cid !== cid);
  switch (event.type) {
    case 'connection.ok':
      return { entries, unreadTotal: event.unread.total_unread_count };
    case 'notification.message_new':
      return {
        entries: moved(event.message, () => event.unread_count),
        unreadTotal: event.total_unread_count,
      };
    case 'notification.added_to_channel': {
      // The other members, named as far as a label needs (at most four).
      const people = (event.members ?? [])
        .filter((m) => m.user_id !== ME)
        .slice(0, 4)
        .map(({ user }) => ({ id: user.id, name: user.name, image: user.image }));
      const entry = {
        cid: event.cid,
        channel: event.channel,
        lastMessage: null,
        muted: event.member.muted,
        people,
      };
      return {
        entries: mergeEntries(entries, [{ ...entry, unreadCount: event.member.unread_count }]),
        unreadTotal,
      };
    }
    case 'message.new': {
      const fromOther = event.message.user_id !== ME && event.message.parent_id === null;
      const counts = fromOther && !find(event.cid)?.muted;
      return {
        entries: moved(event.message, (n) => n + (fromOther ? 1 : 0)),
        unreadTotal: unreadTotal + (counts ? 1 : 0),
      };
    }
    case 'message.read': {
      const entry = find(event.cid);
      if (event.user.id !== ME || entry === undefined) return state;
      const read = entries.map((e) => (e.cid === event.cid ? { ...e, unreadCount: 0 } : e));
      return { entries: read, unreadTotal: Math.max(0, unreadTotal - (entry.muted ? 0 : entry.unreadCount)) };
    }
    case 'member.updated': {
      // A muted channel's count leaves the total; unmuted, it comes back.
      const entry = find(event.cid);
      if (event.member.user_id !== ME || !entry || !!entry.muted === event.member.muted) return state;
      const muted = event.member.muted;
      return {
        entries: entries.map((e) => (e.cid === event.cid ? { ...e, muted } : e)),
        unreadTotal: Math.max(0, unreadTotal + (muted ? -entry.unreadCount : entry.unreadCount)),
      };
    }
    case 'channel.deleted':
      return { entries: without(event.cid), unreadTotal };
    case 'member.removed':
      return event.user_id === ME ? { entries: without(event.cid), unreadTotal } : state;
    default:
      return state;
  }
}
