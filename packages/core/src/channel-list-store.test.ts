import type { ChatEvent } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { channel, member, message, T0 } from '../test/channel-fixtures';
import { applyOneByOne, listHistory, ME } from '../test/channel-list-history';
import { deepFreeze, seededRandom } from '../test/random';
import { createChannelListStore } from './channel-list-store';
import { type ChannelListState, setChannelUnread } from './state/channel-list';

/** Lets the microtasks queued so far run (the end of the current task). */
const endOfTask = () => Promise.resolve();
const at = (second: number) => new Date(Date.parse(T0) + second * 1000).toISOString();

const added = (id: string, seq: number): ChatEvent => ({
  type: 'notification.added_to_channel',
  cid: `messaging:${id}`,
  seq,
  created_at: T0,
  channel: { ...channel(seq), cid: `messaging:${id}`, id, last_message_at: at(seq) },
  member: { ...member(ME), cid: `messaging:${id}` },
});
const news = (id: string, seq: number): ChatEvent => ({
  type: 'message.new',
  cid: `messaging:${id}`,
  seq,
  created_at: at(seq),
  message: message(seq, { id: `m${seq}`, cid: `messaging:${id}`, created_at: at(seq) }),
});

function setup() {
  const store = createChannelListStore();
  const heard = { list: 0, total: 0 };
  store.list.subscribe(() => heard.list++);
  store.unreadTotal.subscribe(() => heard.total++);
  return { store, heard };
}

describe('channel list store', () => {
  it('applies each event at once and notifies the list and the total once for all the events of a task', async () => {
    const { store, heard } = setup();
    for (let i = 0; i < 5; i++) store.applyEvent(added(`c${i}`, i + 1), ME);
    for (let seq = 10; seq < 60; seq++) store.applyEvent(news(`c${seq % 5}`, seq), ME);
    expect(store.unreadTotal.getSnapshot()).toBe(50);
    expect(heard).toEqual({ list: 0, total: 0 });
    await endOfTask();
    expect(heard).toEqual({ list: 1, total: 1 });
    const list = store.list.getSnapshot();
    expect(list.map((e) => [e.cid, e.unreadCount])).toEqual([
      ['messaging:c4', 10],
      ['messaging:c3', 10],
      ['messaging:c2', 10],
      ['messaging:c1', 10],
      ['messaging:c0', 10],
    ]);

    store.applyEvent(news('c0', 60), ME);
    await endOfTask();
    expect(heard).toEqual({ list: 2, total: 2 });
    // The batch made a new list: the one published before keeps its order.
    expect(store.list.getSnapshot()[0]?.cid).toBe('messaging:c0');
    expect(list[0]?.cid).toBe('messaging:c4');
  });

  it('never changes a list read during a batch: the next event copies again', async () => {
    const { store, heard } = setup();
    for (let i = 0; i < 3; i++) store.applyEvent(added(`c${i}`, i + 1), ME);
    const seen = [];
    for (let seq = 10; seq < 20; seq++) {
      store.applyEvent(news(`c${seq % 3}`, seq), ME);
      // Frozen: if a later event of the batch changed it in place, that event would throw.
      const list = deepFreeze(store.list.getSnapshot());
      expect(list[0]?.lastMessage?.seq).toBe(seq);
      seen.push(list);
    }
    expect(new Set(seen).size).toBe(10);
    await endOfTask();
    expect(heard).toEqual({ list: 1, total: 1 });
  });

  it('an own write (a read) notifies at once and ends the batch', async () => {
    const { store, heard } = setup();
    store.applyEvent(added('c0', 1), ME);
    store.applyEvent(news('c0', 2), ME);
    store.update((s) => setChannelUnread(s, 'messaging:c0', 0));
    // The total went 0 → 1 → 0 before anyone heard of the 1: nothing to tell about it.
    expect(heard).toEqual({ list: 1, total: 0 });
    expect(store.unreadTotal.getSnapshot()).toBe(0);
    const written = deepFreeze(store.list.getSnapshot());
    store.applyEvent(news('c0', 3), ME);
    expect(written[0]?.unreadCount).toBe(0);
    await endOfTask();
    expect(heard).toEqual({ list: 2, total: 1 });
    expect(store.list.getSnapshot()[0]?.unreadCount).toBe(1);
  });

  it('does not notify for events that change neither', async () => {
    const { store, heard } = setup();
    const before = store.list.getSnapshot();
    store.applyEvent(news('unknown', 2), 'bob'); // bob's own message, in a channel not listed
    store.applyEvent({ type: 'health.check', created_at: T0 }, ME);
    await endOfTask();
    expect(heard).toEqual({ list: 0, total: 0 });
    expect(store.list.getSnapshot()).toBe(before);
  });

  it('after each task, equals applying the events one by one, with reads and own writes in between (200 random runs)', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const { store, heard } = setup();
      const events = listHistory(random, 80);
      let expected: ChannelListState = { entries: [], unreadTotal: 0 };
      const frozen: unknown[] = [];
      for (let i = 0; i < events.length; ) {
        const end = Math.min(events.length, i + 1 + random.int(15));
        const before = { list: store.list.getSnapshot(), total: store.unreadTotal.getSnapshot() };
        const heardBefore = { ...heard };
        let writes = 0;
        for (; i < end; i++) {
          const event = events[i] as ChatEvent;
          store.applyEvent(event, ME);
          expected = applyOneByOne(expected, event);
          if (random.chance(0.1)) frozen.push(deepFreeze(store.list.getSnapshot()));
          if (random.chance(0.05)) {
            // A markRead: own writes apply (and notify) at once, in the middle of a batch.
            const cid = `messaging:c${random.int(6)}`;
            store.update((s) => setChannelUnread(s, cid, 0));
            expected = setChannelUnread(expected, cid, 0);
            writes++;
          }
        }
        await endOfTask();
        const list = store.list.getSnapshot();
        expect(list, `seed ${seed}, task ending at ${end}`).toEqual(expected.entries);
        expect(store.unreadTotal.getSnapshot()).toBe(expected.unreadTotal);
        if (!writes) {
          // One notification per task, and only when the value changed.
          expect(heard.list - heardBefore.list).toBe(list === before.list ? 0 : 1);
          const total = store.unreadTotal.getSnapshot() === before.total ? 0 : 1;
          expect(heard.total - heardBefore.total).toBeLessThanOrEqual(1);
          if (total) expect(heard.total - heardBefore.total).toBe(1);
        }
        frozen.push(deepFreeze(list));
      }
    }
  });
});
