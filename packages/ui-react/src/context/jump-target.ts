import { type Channel, createStore, type ReadableStore, type WritableStore } from '@chat/core';

/** A message to bring into view in a channel's list; `nonce` tells two requests for one message apart. */
export interface JumpTarget {
  readonly messageId: string;
  readonly nonce: number;
}

const targets = new WeakMap<Channel, WritableStore<JumpTarget | null>>();
let nonce = 0;

function storeOf(channel: Channel): WritableStore<JumpTarget | null> {
  let store = targets.get(channel);
  if (!store) {
    store = createStore<JumpTarget | null>(null);
    targets.set(channel, store);
  }
  return store;
}

/**
 * Asks the channel's message list to show `messageId`: loaded around it when it is far back
 * (`channel.jumpTo`), scrolled to, highlighted and focused. Works before the list is mounted
 * (a search result opens its channel, then the list takes the request), from anywhere in the app.
 *
 * @example
 * selectChannel(result.cid);
 * jumpToMessage(client.channel(type, id), result.id);
 */
export function jumpToMessage(channel: Channel, messageId: string): void {
  storeOf(channel).setState({ messageId, nonce: ++nonce });
}

/** The pending request of a channel; the list clears it once taken (`takeJump`). */
export function jumpTargetOf(channel: Channel): ReadableStore<JumpTarget | null> {
  return storeOf(channel);
}

/** Clears the request (it is being served). */
export function takeJump(channel: Channel): void {
  storeOf(channel).setState(null);
}
