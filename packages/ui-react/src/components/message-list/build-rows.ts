import type { LocalMessage } from '@chat/core';
import { dayKey } from '../../text/format';

/** One row of the message list: a message, with what its neighbours decide about it. */
export interface MessageRow {
  readonly message: LocalMessage;
  /**
   * The row's key: the `client_msg_id` when there is one, so the user's own message keeps its
   * row (and its measured height) when the server's copy replaces the optimistic one under a
   * new id; the id when that is missing or not unique.
   */
  readonly key: string;
  /** First message of its day: a date separator goes above it. */
  readonly startsDay: boolean;
  /** Same author as the previous message, shortly before: shown without avatar and name. */
  readonly grouped: boolean;
}

/** Consecutive messages of one author within this time read as one block. */
export const GROUP_WINDOW_MS = 5 * 60_000;

const isPlain = (m: LocalMessage) => m.type === 'regular' && m.deleted_at === null;

/** Keys, date separators and author grouping, in one pass over the messages. */
export function buildRows(messages: readonly LocalMessage[]): MessageRow[] {
  const rows: MessageRow[] = new Array(messages.length);
  let previous: LocalMessage | undefined;
  let previousDay = '';
  const keys = new Set<string>();
  for (let i = 0; i < messages.length; i += 1) {
    const message = messages[i]!;
    const day = dayKey(message.created_at);
    const startsDay = day !== previousDay;
    const grouped =
      !startsDay &&
      previous !== undefined &&
      previous.user_id === message.user_id &&
      isPlain(previous) &&
      isPlain(message) &&
      Date.parse(message.created_at) - Date.parse(previous.created_at) < GROUP_WINDOW_MS;
    let key = message.client_msg_id ?? message.id;
    if (keys.has(key)) key = message.id;
    keys.add(key);
    rows[i] = { message, key, startsDay, grouped };
    previous = message;
    previousDay = day;
  }
  return rows;
}
