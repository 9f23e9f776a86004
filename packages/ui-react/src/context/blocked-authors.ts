import { type ChatClient, createStore, type WritableStore } from '@chat/core';

const stores = new WeakMap<ChatClient, WritableStore<ReadonlySet<string>>>();

/**
 * The users the connected user blocked in this page, by id. The server hides a blocked user's
 * messages from then on (live, pages, replays); the lists hide the ones already on screen with
 * this. Filled by the block and unblock actions (loaded on demand), so the first load carries no
 * moderation code.
 */
export function blockedAuthorsOf(client: ChatClient): WritableStore<ReadonlySet<string>> {
  let store = stores.get(client);
  if (!store) {
    store = createStore<ReadonlySet<string>>(new Set());
    stores.set(client, store);
  }
  return store;
}
