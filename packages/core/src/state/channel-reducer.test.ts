import { describe, expect, it } from 'vitest';
import { CID, message, newMessage, serverState, typing } from '../../test/channel-fixtures';
import {
  applyChannelEvent,
  emptyChannelState,
  loadChannelState,
  patchAnyMessage,
  putLocalMessage,
  putMessage,
} from './channel-reducer';
import type { ChannelSnapshot, LocalMessage } from './types';

const loaded = (seq = 2) =>
  loadChannelState(emptyChannelState(CID), serverState(seq, [message(1), message(2)]), 'alice');
const apply = (state: ChannelSnapshot, event: Parameters<typeof applyChannelEvent>[1]) =>
  applyChannelEvent(state, event, 'alice');

const pending = (clientMsgId: string, status: LocalMessage['status'] = 'sending'): LocalMessage => ({
  ...message(0, { id: clientMsgId, client_msg_id: clientMsgId, user_id: 'alice', text: 'mine' }),
  status,
});

describe('channel reducer', () => {
  it('loads a server state: messages by seq, members and lastSeq', () => {
    const state = loaded();
    expect(state.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(state.messages.every((m) => m.status === 'sent')).toBe(true);
    expect(Object.keys(state.members)).toEqual(['alice', 'bob']);
    expect(state.lastSeq).toBe(2);
  });

  it('applies the next seq, creating new objects only along the path', () => {
    const state = loaded();
    const { state: next, gap } = apply(state, newMessage(message(3)));
    expect(gap).toBe(false);
    expect(next).not.toBe(state);
    expect(next.messages).not.toBe(state.messages);
    expect(next.messages[0]).toBe(state.messages[0]);
    expect(next.members).toBe(state.members);
    expect(next.read).toBe(state.read);
    expect(next.lastSeq).toBe(3);
    expect(next.unreadCount).toBe(state.unreadCount + 1);
  });

  it('ignores a seq it already applied (duplicates and late arrivals)', () => {
    const state = apply(loaded(), newMessage(message(3))).state;
    const again = apply(state, newMessage(message(3)));
    expect(again.state).toBe(state);
    expect(apply(state, newMessage(message(2))).state).toBe(state);
  });

  it('reports a gap instead of applying an event beyond the next seq', () => {
    const state = loaded();
    const result = apply(state, newMessage(message(5)));
    expect(result.gap).toBe(true);
    expect(result.state).toBe(state);
  });

  it('applies typing regardless of seq (typing takes no seq), and stop removes it', () => {
    const state = loaded();
    const started = apply(state, typing('typing.start', 2)).state;
    expect(started.typing.bob?.user.id).toBe('bob');
    expect(started.messages).toBe(state.messages);
    const stopped = apply(started, typing('typing.stop', 9)).state;
    expect(stopped.typing.bob).toBeUndefined();
    expect(stopped.lastSeq).toBe(2);
  });

  it('keeps thread replies apart from the channel list', () => {
    const reply = message(3, { parent_id: 'm1' });
    const next = apply(loaded(), newMessage(reply)).state;
    expect(next.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(next.threads.m1?.map((m) => m.id)).toEqual(['m3']);
  });

  it('replaces an optimistic message in place when its echo arrives, without duplicating', () => {
    const withLocal = putLocalMessage(loaded(), pending('c1'));
    expect(withLocal.messages.map((m) => m.status)).toEqual(['sent', 'sent', 'sending']);
    const stored = message(3, { id: 'real', client_msg_id: 'c1', user_id: 'alice', text: 'mine' });
    const echoed = apply(withLocal, newMessage(stored)).state;
    expect(echoed.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'real']);
    expect(echoed.messages.at(-1)?.status).toBe('sent');
    // The ack after the echo changes nothing visible.
    const acked = putLocalMessage(echoed, { ...stored, status: 'sent' });
    expect(acked.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'real']);
  });

  it('keeps unsent messages after sent ones, and across a reload', () => {
    const withLocal = putLocalMessage(loaded(), pending('c1', 'failed'));
    const next = apply(withLocal, newMessage(message(3))).state;
    expect(next.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'c1']);
    const reloaded = loadChannelState(next, serverState(3, [message(1), message(2), message(3)]), 'alice');
    expect(reloaded.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'c1']);
  });

  it('marks failed and removes (discard) by id', () => {
    const state = putLocalMessage(loaded(), pending('c1'));
    const failed = patchAnyMessage(state, 'c1', (m) => ({ ...m, status: 'failed' }));
    expect(failed.messages.at(-1)?.status).toBe('failed');
    expect(failed.messages[0]).toBe(state.messages[0]);
    const discarded = patchAnyMessage(failed, 'c1', () => undefined);
    expect(discarded.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(patchAnyMessage(discarded, 'nope', () => undefined)).toBe(discarded);
  });

  it("keeps the viewer's own reactions when someone else reacts", () => {
    const mine = apply(loaded(), {
      type: 'reaction.new',
      cid: CID,
      seq: 3,
      created_at: message(1).created_at,
      message: message(1, { reaction_counts: { '👍': 1 }, own_reactions: ['👍'] }),
      reaction: { type: '👍', user_id: 'alice' },
    }).state;
    expect(mine.messages[0]?.own_reactions).toEqual(['👍']);
    const theirs = apply(mine, {
      type: 'reaction.new',
      cid: CID,
      seq: 4,
      created_at: message(1).created_at,
      message: message(1, { reaction_counts: { '👍': 2 }, own_reactions: [] }),
      reaction: { type: '👍', user_id: 'bob' },
    }).state;
    expect(theirs.messages[0]?.own_reactions).toEqual(['👍']);
    expect(theirs.messages[0]?.reaction_counts).toEqual({ '👍': 2 });
  });

  it('resets the own unread count on an own read event', () => {
    const unread = apply(loaded(), newMessage(message(3))).state;
    expect(unread.unreadCount).toBe(1);
    const read = apply(unread, {
      type: 'message.read',
      cid: CID,
      seq: 4,
      created_at: message(1).created_at,
      user: { id: 'alice', name: null, image: null, online: true },
      last_read_message_id: 'm3',
    }).state;
    expect(read.unreadCount).toBe(0);
    expect(read.read.alice?.last_read_message_id).toBe('m3');
  });
});

describe('watcher counts', () => {
  const watchers = (seq: number, count: number) =>
    ({
      type: 'channel.watchers',
      cid: CID,
      seq,
      created_at: '2030-01-01T00:00:00.000Z',
      watcher_count: count,
    }) as const;

  it('applies a count whatever its seq (it takes none), and keeps identity when unchanged', () => {
    const state = loaded(2);
    const ahead = apply(state, watchers(9, 3));
    expect(ahead).toMatchObject({ gap: false, state: { watcherCount: 3, lastSeq: 2 } });
    expect(apply(ahead.state, watchers(2, 3)).state).toBe(ahead.state);
    expect(apply(ahead.state, watchers(1, 2)).state.watcherCount).toBe(2);
  });
});

describe('reply counts', () => {
  it('counts each new reply on its parent once, whether the event or the ack comes first', () => {
    const state = loaded(2);
    const reply = message(3, { id: 'r1', parent_id: 'm1', client_msg_id: 'c1', user_id: 'alice' });
    const once = apply(state, newMessage(reply)).state;
    expect(once.messages.find((m) => m.id === 'm1')?.reply_count).toBe(1);
    expect(once.threads.m1?.map((m) => m.id)).toEqual(['r1']);
    // The same reply again (the ack, or a replayed event): no second count.
    const again = putMessage(once, reply);
    expect(again.messages.find((m) => m.id === 'm1')?.reply_count).toBe(1);

    // An own reply shown optimistically, then stored: counted when it is stored.
    const optimistic = putLocalMessage(state, { ...reply, id: 'c1', status: 'sending' });
    expect(optimistic.messages.find((m) => m.id === 'm1')?.reply_count).toBe(0);
    const stored = putMessage(optimistic, reply);
    expect(stored.messages.find((m) => m.id === 'm1')?.reply_count).toBe(1);
    expect(stored.threads.m1?.map((m) => [m.id, m.status])).toEqual([['r1', 'sent']]);
  });
});
