import type { ChannelEvent } from '@chat/protocol';
import { applyChannelEventInBatch } from './state/channel-reducer';
import { TransientLists } from './state/transient-lists';
import type { ChannelSnapshot } from './state/types';
import { createStore, type WritableStore } from './store';

/** A channel handle's store; realtime events go through `applyEvent`. */
export interface ChannelStore extends WritableStore<ChannelSnapshot> {
  /**
   * Applies a realtime event now, as part of the batch of events that arrive in the same task.
   * Returns whether it revealed a gap (it was then not applied).
   */
  applyEvent(event: ChannelEvent, userId: string | undefined): boolean;
}

/**
 * The store of a channel handle. The frames of one socket read are dispatched back to back in
 * one task, and per-event copies of a 10,000-message list (and a notification per event) would
 * cap how fast a busy channel keeps up. So the events of one task form a batch:
 *
 * - each event is applied at once: code that reads the state right after an event (an `on`
 *   listener, an ack) sees it;
 * - the batch copies each message list once, then changes its own copy in place;
 * - subscribers hear once, in a microtask, after the last event of the task.
 *
 * Reading the snapshot, or any other write, ends the batch, so the next event copies again and
 * a snapshot that anyone has seen never changes.
 */
export function createChannelStore(initial: ChannelSnapshot): ChannelStore {
  // What subscribers were told of; `state` runs ahead of it during a batch.
  const announced = createStore(initial);
  let state = initial;
  let batch: TransientLists | undefined;
  let announcing = false;
  const endBatch = () => {
    announcing = false;
    batch = undefined;
    announced.setState(state);
  };
  return {
    getSnapshot() {
      batch = undefined;
      return state;
    },
    subscribe: announced.subscribe,
    setState(next) {
      batch = undefined;
      state = typeof next === 'function' ? next(state) : next;
      announced.setState(state);
    },
    applyEvent(event, userId) {
      batch ??= new TransientLists();
      const result = applyChannelEventInBatch(state, event, userId, batch);
      if (result.state !== state) {
        state = result.state;
        if (!announcing) {
          announcing = true;
          queueMicrotask(endBatch);
        }
      }
      return result.gap;
    },
  };
}
