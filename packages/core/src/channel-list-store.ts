import type { ChatEvent } from '@chat/protocol';
import { applyChannelListEvent, type ChannelListEntry, type ChannelListState } from './state/channel-list';
import { TransientLists } from './state/transient-lists';
import { createStore, type ReadableStore } from './store';

/** The client-wide channel list and unread total, written by `Channels`. */
export interface ChannelListStore {
  /** The channel list, newest activity first. */
  readonly list: ReadableStore<readonly ChannelListEntry[]>;
  /** The user's unread messages across all channels. */
  readonly unreadTotal: ReadableStore<number>;
  /** Applies a server event now, as part of the batch of events that arrive in the same task. */
  applyEvent(event: ChatEvent, userId: string | undefined): void;
  /** An own write (a query, a send, a read, a cold start): applied and announced at once. */
  update(change: (state: ChannelListState) => ChannelListState): void;
}

/**
 * The channel list and unread total, batched like a channel's store (see `createChannelStore`):
 * a busy channel's `message.new` frames each move it in the list and bump the total, and a copy
 * of the list plus a notification per event (with views re-filtering the list each time) would
 * cost far more than the events themselves. So the events of one task form a batch:
 *
 * - each event is applied at once: an `on` listener that reads the list or total sees it;
 * - the batch copies the list once, then changes its own copy in place;
 * - subscribers hear once, in a microtask, after the last event of the task.
 *
 * Reading the list, or an own write, ends the batch, so the next event copies again and a list
 * that anyone has seen never changes. The total is a number: reading it ends nothing.
 */
export function createChannelListStore(): ChannelListStore {
  let state: ChannelListState = { entries: [], unreadTotal: 0 };
  // What subscribers were told of; `state` runs ahead of them during a batch.
  const announcedList = createStore(state.entries);
  const announcedTotal = createStore(state.unreadTotal);
  let batch: TransientLists | undefined;
  let announcing = false;
  const announce = () => {
    announcedList.setState(state.entries);
    announcedTotal.setState(state.unreadTotal);
  };
  const endBatch = () => {
    announcing = false;
    batch = undefined;
    announce();
  };
  return {
    list: {
      getSnapshot() {
        batch = undefined;
        return state.entries;
      },
      subscribe: announcedList.subscribe,
    },
    unreadTotal: { getSnapshot: () => state.unreadTotal, subscribe: announcedTotal.subscribe },
    applyEvent(event, userId) {
      batch ??= new TransientLists();
      const next = applyChannelListEvent(state, event, userId, batch);
      if (next === state) return;
      state = next;
      if (!announcing) {
        announcing = true;
        queueMicrotask(endBatch);
      }
    },
    update(change) {
      // Ends the batch: what this write publishes may be the batch's own copy of the list, which
      // must then never change.
      batch = undefined;
      state = change(state);
      announce();
    },
  };
}
