import { insertAt, replaceAt, type TransientLists, writableList } from './transient-lists';
import type { LocalMessage } from './types';

const pending = (m: LocalMessage) => m.status !== 'sent';

/** Sent messages by `seq`; unsent ones after every sent one, in the order they were written. */
function before(a: LocalMessage, b: LocalMessage): boolean {
  if (pending(a) !== pending(b)) return !pending(a);
  return pending(a) ? false : a.seq < b.seq;
}

const matches = (m: LocalMessage, id: string, clientMsgId?: string | null) =>
  m.id === id || (clientMsgId != null && m.client_msg_id === clientMsgId);

/**
 * The index of the message with this id, or of the unsent message with this `client_msg_id`.
 * Searched from the end: events mostly concern the newest messages.
 */
export function findMessage(list: readonly LocalMessage[], id: string, clientMsgId?: string | null): number {
  for (let i = list.length - 1; i >= 0; i--) if (matches(list[i] as LocalMessage, id, clientMsgId)) return i;
  return -1;
}

/**
 * Where a sent message newer than every sent one goes, or -1 when it is not that case. The
 * common event (a new message) then costs one pass over the few unsent messages at the end,
 * not a search of the whole channel.
 */
function appendIndex(list: readonly LocalMessage[], message: LocalMessage): number {
  if (pending(message)) return -1;
  let at = list.length;
  while (at > 0 && pending(list[at - 1] as LocalMessage)) {
    if (matches(list[at - 1] as LocalMessage, message.id, message.client_msg_id)) return -1;
    at--;
  }
  const last = list[at - 1];
  return !last || last.seq < message.seq ? at : -1;
}

/** The index of the message `message` replaces (see `upsertMessage`), or -1 for a new one. */
export function indexToReplace(list: readonly LocalMessage[], message: LocalMessage): number {
  if (appendIndex(list, message) >= 0) return -1;
  return findMessage(list, message.id, message.client_msg_id);
}

/**
 * Whether `message` can take the place of the message at `index` without moving: the usual edit
 * or reaction. In a sorted list, being in order with both neighbours means being where a
 * remove-then-insert would put it, without shifting the rest of the list twice.
 */
function staysAt(list: readonly LocalMessage[], index: number, message: LocalMessage): boolean {
  const previous = list[index - 1];
  const following = list[index + 1];
  return (!previous || !before(message, previous)) && (!following || before(message, following));
}

/**
 * Inserts `message`, or replaces the message it matches (by id, or by `client_msg_id` for an
 * optimistic one), keeping the list sorted. Returns a new list, or `list` itself when nothing
 * changed. Within a `batch` the batch's own copy is changed in place instead of copied again.
 */
export function upsertMessage(
  list: readonly LocalMessage[],
  message: LocalMessage,
  batch?: TransientLists,
): readonly LocalMessage[] {
  const append = appendIndex(list, message);
  if (append >= 0) return insertAt(list, append, message, batch);
  const index = findMessage(list, message.id, message.client_msg_id);
  if (index >= 0 && list[index] === message) return list;
  if (index >= 0 && staysAt(list, index, message)) return replaceAt(list, index, message, batch);
  const next = writableList(list, batch);
  if (index >= 0) next.splice(index, 1);
  let at = next.length;
  while (at > 0 && before(message, next[at - 1] as LocalMessage)) at--;
  next.splice(at, 0, message);
  return next;
}

/**
 * Merges a page of messages (a load, or older ones) into the list: one sort instead of one
 * insert per message. A page message replaces the one with its id, or the unsent one with its
 * `client_msg_id`.
 */
export function mergeMessages(
  list: readonly LocalMessage[],
  page: readonly LocalMessage[],
): readonly LocalMessage[] {
  if (page.length === 0) return list;
  if (page.length === 1) return upsertMessage(list, page[0] as LocalMessage);
  const byKey = new Map<string, LocalMessage>();
  const keyOf = (m: LocalMessage) => (pending(m) && m.client_msg_id ? `c:${m.client_msg_id}` : `i:${m.id}`);
  for (const message of list) byKey.set(keyOf(message), message);
  for (const message of page) {
    if (message.client_msg_id) byKey.delete(`c:${message.client_msg_id}`);
    byKey.set(keyOf(message), message);
  }
  const order = new Map<LocalMessage, number>();
  for (const [i, message] of list.entries()) order.set(message, i);
  // Sent by seq; unsent after them, in the order they were written (their place in `list`).
  const merged = [...byKey.values()].sort((a, b) => {
    if (pending(a) !== pending(b)) return pending(a) ? 1 : -1;
    if (!pending(a)) return a.seq - b.seq;
    return (order.get(a) ?? 0) - (order.get(b) ?? 0);
  });
  // Nothing new (a page already held): the same list, so views see no change.
  return merged.length === list.length && merged.every((m, i) => m === list[i]) ? list : merged;
}

/** Applies `change` to the message with this id, if present; `undefined` from `change` removes it. */
export function patchMessage(
  list: readonly LocalMessage[],
  id: string,
  change: (message: LocalMessage) => LocalMessage | undefined,
  batch?: TransientLists,
): readonly LocalMessage[] {
  const index = findMessage(list, id);
  if (index < 0) return list;
  const changed = change(list[index] as LocalMessage);
  if (changed === list[index]) return list;
  if (changed) return replaceAt(list, index, changed, batch);
  const next = writableList(list, batch);
  next.splice(index, 1);
  return next;
}
