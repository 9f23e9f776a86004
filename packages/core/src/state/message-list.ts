import type { LocalMessage } from './types';

const pending = (m: LocalMessage) => m.status !== 'sent';

/** Sent messages by `seq`; unsent ones after every sent one, in the order they were written. */
function before(a: LocalMessage, b: LocalMessage): boolean {
  if (pending(a) !== pending(b)) return !pending(a);
  return pending(a) ? false : a.seq < b.seq;
}

/** The index of the message with this id, or of the unsent message with this `client_msg_id`. */
export function findMessage(list: readonly LocalMessage[], id: string, clientMsgId?: string | null): number {
  return list.findIndex((m) => m.id === id || (clientMsgId != null && m.client_msg_id === clientMsgId));
}

/**
 * Inserts `message`, or replaces the message it matches (by id, or by `client_msg_id` for an
 * optimistic one), keeping the list sorted. Returns a new list, or `list` itself when nothing changed.
 */
export function upsertMessage(list: readonly LocalMessage[], message: LocalMessage): readonly LocalMessage[] {
  const index = findMessage(list, message.id, message.client_msg_id);
  if (index >= 0 && list[index] === message) return list;
  const rest = index >= 0 ? [...list.slice(0, index), ...list.slice(index + 1)] : [...list];
  let at = rest.length;
  while (at > 0 && before(message, rest[at - 1] as LocalMessage)) at--;
  rest.splice(at, 0, message);
  return rest;
}

/** Merges a page of messages (e.g. older ones) into the list. */
export function mergeMessages(
  list: readonly LocalMessage[],
  page: readonly LocalMessage[],
): readonly LocalMessage[] {
  let next = list;
  for (const message of page) next = upsertMessage(next, message);
  return next;
}

/** Applies `change` to the message with this id, if present. */
export function patchMessage(
  list: readonly LocalMessage[],
  id: string,
  change: (message: LocalMessage) => LocalMessage | undefined,
): readonly LocalMessage[] {
  const index = findMessage(list, id);
  if (index < 0) return list;
  const next = change(list[index] as LocalMessage);
  if (next === list[index]) return list;
  const copy = [...list];
  if (next) copy[index] = next;
  else copy.splice(index, 1);
  return copy;
}
