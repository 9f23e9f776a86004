import { deriveStore, type ReadableStore, sameItems } from '../store';
import type { QueueItem } from './storage-adapter';
import type { SyncQueueState } from './sync-queue';

const NO_ITEMS: readonly QueueItem[] = [];

/**
 * One channel's items of the durable queue, as a store. The queue belongs to the connected user
 * and changes with them, so the store follows whichever queue `queue()` gives now; without one it
 * is empty (`idle` stands in as a source that never changes).
 */
export function pendingWritesOf(
  cid: string,
  queue: () => ReadableStore<SyncQueueState> | undefined,
  idle: ReadableStore<unknown>,
): ReadableStore<readonly QueueItem[]> {
  const items = () =>
    queue()
      ?.getSnapshot()
      .items.filter((item) => item.op.cid === cid) ?? NO_ITEMS;
  const derived = () => deriveStore([queue() ?? idle], items, sameItems);
  let source = queue();
  let current = derived();
  const fresh = () => {
    if (queue() !== source) {
      source = queue();
      current = derived();
    }
    return current;
  };
  return {
    getSnapshot: () => fresh().getSnapshot(),
    subscribe: (listener) => fresh().subscribe(listener),
  };
}
