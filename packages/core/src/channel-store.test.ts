import { describe, expect, it } from 'vitest';
import { CID, message, newMessage, serverState, typing } from '../test/channel-fixtures';
import { deepFreeze } from '../test/random';
import { createChannelStore } from './channel-store';
import { emptyChannelState, loadChannelState } from './state/channel-reducer';

const ME = 'alice';
const loaded = () => loadChannelState(emptyChannelState(CID), serverState(2, [message(1), message(2)]), ME);
/** Lets the microtasks queued so far run (the end of the current task). */
const endOfTask = () => Promise.resolve();

function setup() {
  const store = createChannelStore(deepFreeze(loaded()));
  let notifications = 0;
  store.subscribe(() => notifications++);
  return { store, notifications: () => notifications };
}

describe('channel store', () => {
  it('applies each event at once and notifies once for all the events of a task', async () => {
    const { store, notifications } = setup();
    for (let seq = 3; seq <= 52; seq++) expect(store.applyEvent(newMessage(message(seq)), ME)).toBe(false);
    expect(notifications()).toBe(0);
    await endOfTask();
    expect(notifications()).toBe(1);
    const state = store.getSnapshot();
    expect(state.lastSeq).toBe(52);
    expect(state.messages.map((m) => m.seq)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));

    store.applyEvent(newMessage(message(53)), ME);
    await endOfTask();
    expect(notifications()).toBe(2);
    // The batch made a new list: the snapshot published before keeps its own.
    expect(store.getSnapshot().messages).not.toBe(state.messages);
    expect(state.messages).toHaveLength(52);
  });

  it('never changes a snapshot read during a batch: the next event copies again', async () => {
    const { store, notifications } = setup();
    const seen = [];
    for (let seq = 3; seq <= 12; seq++) {
      store.applyEvent(newMessage(message(seq)), ME);
      // Frozen: if a later event of the batch changed it in place, that event would throw.
      const snapshot = deepFreeze(store.getSnapshot());
      expect(snapshot.messages.at(-1)?.seq).toBe(seq);
      seen.push(snapshot);
    }
    expect(seen.map((s) => s.messages.length)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await endOfTask();
    expect(notifications()).toBe(1);
  });

  it('a write in the middle of a batch notifies at once and ends the batch', async () => {
    const { store, notifications } = setup();
    store.applyEvent(newMessage(message(3)), ME);
    store.setState((s) => ({ ...s, draft: null, loading: true }));
    expect(notifications()).toBe(1);
    const written = deepFreeze(store.getSnapshot());
    store.applyEvent(newMessage(message(4)), ME);
    expect(written.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    await endOfTask();
    expect(notifications()).toBe(2);
    expect(store.getSnapshot().messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('does not notify for events that change nothing, and reports gaps', async () => {
    const { store, notifications } = setup();
    const before = store.getSnapshot();
    store.applyEvent(newMessage(message(2)), ME); // a duplicate
    store.applyEvent(typing('typing.stop', 2), ME); // nobody was typing
    expect(store.applyEvent(newMessage(message(9)), ME)).toBe(true);
    await endOfTask();
    expect(notifications()).toBe(0);
    expect(store.getSnapshot()).toBe(before);
  });
});
