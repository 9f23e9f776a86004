import type { ChatEvent } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { channel, message, T0 } from '../../test/channel-fixtures';
import { applyOneByOne, listHistory, ME } from '../../test/channel-list-history';
import { deepFreeze, seededRandom } from '../../test/random';
import { applyChannelListEvent, type ChannelListEntry, type ChannelListState } from './channel-list';
import { TransientLists } from './transient-lists';

const EMPTY: ChannelListState = { entries: [], unreadTotal: 0 };
const cids = (state: ChannelListState) => state.entries.map((e) => e.cid);

describe('applyChannelListEvent', () => {
  it('in batches gives the list and total of re-sorting after every event (300 random histories)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const events = listHistory(random, 80);
      const expected: ChannelListState[] = [];
      let reference = EMPTY;
      for (const event of events) {
        reference = applyOneByOne(reference, event);
        expected.push(reference);
      }

      // One by one, without a batch: every state on the way.
      let state = EMPTY;
      events.forEach((event, i) => {
        state = applyChannelListEvent(state, event, ME);
        expect(state, `seed ${seed}, event ${i}`).toEqual(expected[i]);
      });

      // In batches of random sizes; what a batch returned is frozen, so a later batch that
      // changed it in place would throw.
      state = EMPTY;
      for (let i = 0; i < events.length; ) {
        const end = Math.min(events.length, i + 1 + random.int(20));
        const batch = new TransientLists();
        for (; i < end; i++) state = applyChannelListEvent(state, events[i] as ChatEvent, ME, batch);
        expect(state, `seed ${seed}, batch ending at ${end}`).toEqual(expected[end - 1]);
        deepFreeze(state);
      }
    }
  });

  it('keeps ties in the order re-sorting after each event gives, not the order before the batch', () => {
    const entry = (id: string): ChannelListEntry => ({
      cid: `messaging:${id}`,
      channel: { ...channel(1), cid: `messaging:${id}`, id },
      lastMessage: null,
      unreadCount: 0,
    });
    const start = { entries: [entry('a'), entry('b')], unreadTotal: 0 };
    const later = '2030-01-01T00:00:00.000Z';
    const news = (id: string): ChatEvent => ({
      type: 'message.new',
      cid: `messaging:${id}`,
      seq: 2,
      created_at: later,
      message: message(2, { cid: `messaging:${id}`, created_at: later }),
    });
    const batch = new TransientLists();
    let state = applyChannelListEvent(start, news('b'), ME, batch);
    state = applyChannelListEvent(state, news('a'), ME, batch);
    // b moved up first; a then ties with it and, coming from below, stays below it.
    expect(cids(state)).toEqual(['messaging:b', 'messaging:a']);
    expect(cids(start)).toEqual(['messaging:a', 'messaging:b']);
  });

  it('returns the same state for events that change neither the list nor the total', () => {
    const state = { entries: [], unreadTotal: 3 };
    const read: ChatEvent = {
      type: 'message.read',
      cid: 'messaging:x',
      seq: 1,
      created_at: T0,
      user: { id: 'bob', name: null, image: null, online: true },
      last_read_message_id: null,
    };
    expect(applyChannelListEvent(state, read, ME)).toBe(state);
    expect(applyChannelListEvent(state, { type: 'health.check', created_at: T0 }, ME)).toBe(state);
  });
});
