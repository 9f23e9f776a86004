import { describe, expect, it } from 'vitest';
import { message } from '../../test/channel-fixtures';
import { deepFreeze, type Random, seededRandom } from '../../test/random';
import { findMessage, mergeMessages, patchMessage, upsertMessage } from './message-list';
import { TransientLists } from './transient-lists';
import type { LocalMessage } from './types';

// `upsertMessage` as it was before the cheaper paths (copies by spread), kept as the oracle: the
// new one must give the same lists, item for item.
const pending = (m: LocalMessage) => m.status !== 'sent';
function before(a: LocalMessage, b: LocalMessage): boolean {
  if (pending(a) !== pending(b)) return !pending(a);
  return pending(a) ? false : a.seq < b.seq;
}
const matches = (m: LocalMessage, id: string, clientMsgId?: string | null) =>
  m.id === id || (clientMsgId != null && m.client_msg_id === clientMsgId);
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
function oracleUpsert(list: readonly LocalMessage[], message: LocalMessage): readonly LocalMessage[] {
  const append = appendIndex(list, message);
  if (append >= 0) return [...list.slice(0, append), message, ...list.slice(append)];
  const index = findMessage(list, message.id, message.client_msg_id);
  if (index >= 0 && list[index] === message) return list;
  const rest = index >= 0 ? [...list.slice(0, index), ...list.slice(index + 1)] : [...list];
  let at = rest.length;
  while (at > 0 && before(message, rest[at - 1] as LocalMessage)) at--;
  rest.splice(at, 0, message);
  return rest;
}

const sent = (seq: number, text = `message ${seq}`): LocalMessage => ({
  ...message(seq, { text }),
  status: 'sent',
});
const own = (clientMsgId: string, status: LocalMessage['status']): LocalMessage => ({
  ...message(0, { id: clientMsgId, client_msg_id: clientMsgId, user_id: 'alice' }),
  status,
});

/** A message an event or a write could bring: new, edited, an echo of an unsent one, unsent. */
function randomMessage(random: Random, list: readonly LocalMessage[], nextSeq: () => number): LocalMessage {
  const existing = list.length ? random.pick(list) : undefined;
  switch (random.int(5)) {
    case 0:
      return sent(nextSeq());
    case 1: // an older message arriving late (out of order)
      return sent(1 + random.int(nextSeq()));
    case 2: // an edit: same id and seq
      return existing?.status === 'sent'
        ? { ...existing, text: `edited ${random.int(1e6)}` }
        : sent(nextSeq());
    case 3: // the echo of an unsent own message
      return existing && existing.status !== 'sent'
        ? { ...sent(nextSeq()), id: `real-${existing.id}`, client_msg_id: existing.client_msg_id }
        : sent(nextSeq());
    default:
      return own(`c${random.int(8)}`, random.chance(0.5) ? 'sending' : 'failed');
  }
}

const ids = (list: readonly LocalMessage[]) => list.map((m) => m.id);
const sameItems = (a: readonly LocalMessage[], b: readonly LocalMessage[]) =>
  a.length === b.length && a.every((m, i) => m === b[i]);

describe('message list', () => {
  it('upserts exactly like the old copy-by-spread version, one change at a time and in a batch', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      let seq = 0;
      const nextSeq = () => (seq += 1 + random.int(3));
      const start = mergeMessages(
        [],
        Array.from({ length: random.int(20) }, () => sent(nextSeq())),
      );
      deepFreeze(start);
      let single = start;
      let batched = start;
      const batch = new TransientLists();
      for (let step = 0; step < 40; step++) {
        const m = deepFreeze(randomMessage(random, single, nextSeq));
        const expected = oracleUpsert(single, m);
        const next = upsertMessage(single, m);
        const where = `seed ${seed}, step ${step}: ${ids(next)} vs ${ids(expected)}`;
        // Nothing changed: the same list (views see no change); a change: a new one.
        expect(next === single, where).toBe(expected === single);
        expect(sameItems(next, expected), where).toBe(true);
        batched = upsertMessage(batched, m, batch);
        expect(sameItems(batched, expected), `${where} (batch)`).toBe(true);
        // A list handed out outside a batch is final: any later change to it would throw.
        single = deepFreeze(next);
      }
    }
  });

  it('patches (replace or remove) like before, without changing a list it did not make', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = seededRandom(seed);
      const start = deepFreeze(mergeMessages([], [sent(1), sent(2), sent(3), own('c1', 'sending')]));
      const batch = new TransientLists();
      let single = start;
      let batched = start;
      for (let step = 0; step < 10; step++) {
        const target = random.pick(['m1', 'm2', 'm3', 'c1', 'missing']);
        const remove = random.chance(0.3);
        const change = (m: LocalMessage) => (remove ? undefined : { ...m, text: `patched ${step}` });
        const next = patchMessage(single, target, change);
        expect(next === single).toBe(!single.some((m) => m.id === target));
        batched = patchMessage(batched, target, change, batch);
        single = deepFreeze(next);
        expect(single.map((m) => [m.id, m.text])).toEqual(batched.map((m) => [m.id, m.text]));
      }
      expect(ids(start)).toEqual(['m1', 'm2', 'm3', 'c1']);
    }
  });

  it('copies a list once per batch, then changes the copy in place', () => {
    const start = deepFreeze(mergeMessages([], [sent(1), sent(2)]));
    const batch = new TransientLists();
    const first = upsertMessage(start, sent(3), batch);
    expect(first).not.toBe(start);
    expect(upsertMessage(first, sent(4), batch)).toBe(first);
    expect(patchMessage(first, 'm1', (m) => ({ ...m, text: 'edited' }), batch)).toBe(first);
    expect(ids(first)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(ids(start)).toEqual(['m1', 'm2']);
    // Another batch does not own it: it copies again.
    expect(upsertMessage(first, sent(5), new TransientLists())).not.toBe(first);
  });
});
