import type { ChannelEvent, Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { CID, member, message, serverState, T0, typing } from '../../test/channel-fixtures';
import { deepFreeze, type Random, seededRandom } from '../../test/random';
import {
  applyChannelEvent,
  applyChannelEvents,
  emptyChannelState,
  loadChannelState,
  putLocalMessage,
} from './channel-reducer';
import type { ChannelSnapshot, LocalMessage } from './types';

const ME = 'alice';
const ref = (id: string) => ({ id, name: null, image: null, online: true });

/**
 * A server that makes up a random channel history: new messages from others and from the user
 * (echoes of unsent ones), thread replies, edits, deletes, reactions, reads, typing and watcher
 * counts, each channel event with the next seq.
 */
function history(random: Random, start: ChannelSnapshot, count: number): ChannelEvent[] {
  let seq = start.lastSeq;
  const known: Message[] = start.messages.filter((m) => m.status === 'sent');
  const unsent = start.messages.filter((m) => m.status !== 'sent');
  const about = () => ({ cid: CID, seq: ++seq, created_at: T0 });
  const events: ChannelEvent[] = [];
  for (let i = 0; i < count; i++) {
    const target = known.length ? random.pick(known) : undefined;
    const kind = random.int(10);
    if (kind <= 2 || !target) {
      const at = about();
      const echo = kind === 1 ? unsent.shift() : undefined;
      const created = message(at.seq, {
        id: `m${at.seq}`,
        user_id: echo ? ME : random.pick(['bob', 'carol']),
        client_msg_id: echo?.client_msg_id ?? null,
        parent_id: kind === 2 && target ? target.id : null,
      });
      if (created.parent_id === null) known.push(created);
      events.push({ type: 'message.new', ...at, message: created });
    } else if (kind === 3 || kind === 4) {
      const edited = { ...target, text: `edited at ${seq + 1}`, edited_at: T0 };
      known[known.indexOf(target)] = edited;
      events.push({ type: kind === 3 ? 'message.updated' : 'message.deleted', ...about(), message: edited });
    } else if (kind === 5) {
      const user = random.pick([ME, 'bob']);
      const type = random.pick(['👍', '🎉']);
      const counted = { ...target, reaction_counts: { [type]: 1 + random.int(3) } };
      known[known.indexOf(target)] = counted;
      const reaction = { type, user_id: user };
      const name = random.chance(0.5) ? 'reaction.new' : 'reaction.deleted';
      events.push({ type: name, ...about(), message: counted, reaction });
    } else if (kind === 6) {
      const user = ref(random.pick([ME, 'bob']));
      events.push({ type: 'message.read', ...about(), user, last_read_message_id: target.id });
    } else if (kind === 7) {
      events.push(typing(random.pick(['typing.start', 'typing.stop']), seq, random.pick(['bob', ME])));
    } else if (kind === 8) {
      const count = 1 + random.int(4);
      events.push({ type: 'channel.watchers', cid: CID, seq, created_at: T0, watcher_count: count });
    } else {
      events.push({ type: 'member.added', ...about(), member: member(random.pick(['dave', 'erin'])) });
    }
  }
  return events;
}

/**
 * What the network makes of it: events again (a replay after a resync), and in a third of the
 * histories one event late (out of order) or lost. Either is a gap: what follows it is not applied.
 */
function deliver(random: Random, events: readonly ChannelEvent[]): ChannelEvent[] {
  const out: ChannelEvent[] = [];
  for (const event of events) {
    out.push(event);
    if (random.chance(0.1)) out.push(out[random.int(out.length)] as ChannelEvent);
  }
  if (random.chance(0.33) && out.length > 2) {
    const at = random.int(out.length - 1);
    const [moved] = out.splice(at, 1);
    if (random.chance(0.5)) out.splice(at + 1 + random.int(out.length - at), 0, moved as ChannelEvent);
  }
  return out;
}

function startingState(random: Random): ChannelSnapshot {
  const count = random.int(30);
  const messages = Array.from({ length: count }, (_, i) => message(i + 1));
  let state = loadChannelState(emptyChannelState(CID), serverState(count, messages), ME);
  for (let i = 0; i < random.int(4); i++) {
    const clientMsgId = `c${i}`;
    const local: LocalMessage = {
      ...message(0, { id: clientMsgId, client_msg_id: clientMsgId, user_id: ME, text: 'mine' }),
      status: random.chance(0.7) ? 'sending' : 'failed',
    };
    state = putLocalMessage(state, local);
  }
  return state;
}

const sequentially = (state: ChannelSnapshot, events: readonly ChannelEvent[]) => {
  let gap = false;
  for (const event of events) {
    const result = applyChannelEvent(state, event, ME);
    state = result.state;
    gap ||= result.gap;
  }
  return { state, gap };
};

/** Splits `events` into runs of random length, like the frames of successive socket reads. */
function runs(random: Random, events: readonly ChannelEvent[]): ChannelEvent[][] {
  const out: ChannelEvent[][] = [];
  for (let i = 0; i < events.length; ) {
    const length = 1 + random.int(12);
    out.push(events.slice(i, i + length));
    i += length;
  }
  return out;
}

describe('applyChannelEvents (a batch)', () => {
  it('gives the same state as applying the events one by one, for random histories', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const start = deepFreeze(startingState(random));
      const events = deepFreeze(deliver(random, history(random, start, 5 + random.int(40))));
      const expected = sequentially(start, events);
      // `start` is frozen: a batch that changed a list it did not make would throw here.
      const batched = applyChannelEvents(start, events, ME);
      expect(batched, `seed ${seed}`).toEqual(expected);
      // A list changes identity exactly when one event after another would have changed it.
      expect(batched.state.messages === start.messages, `seed ${seed}`).toBe(
        expected.state.messages === start.messages,
      );
      expect(batched.state.channel).toEqual(expected.state.channel);
    }
  });

  it('gives the same state when the events come in several batches, each result published in between', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const start = deepFreeze(startingState(random));
      const events = deepFreeze(deliver(random, history(random, start, 5 + random.int(60))));
      const expected = sequentially(start, events).state;
      const published: { snapshot: ChannelSnapshot; copy: ChannelSnapshot }[] = [];
      let state = start;
      for (const run of runs(random, events)) {
        const next = applyChannelEvents(state, run, ME).state;
        const oneByOne = sequentially(state, run).state;
        expect(next, `seed ${seed}`).toEqual(oneByOne);
        expect(next.messages === state.messages).toBe(oneByOne.messages === state.messages);
        // Published: a view holds it, so later batches must leave it as it is (frozen, a change throws).
        published.push({ snapshot: deepFreeze(next), copy: structuredClone(next) });
        state = next;
      }
      expect(state, `seed ${seed}`).toEqual(expected);
      for (const { snapshot, copy } of published) expect(snapshot).toEqual(copy);
    }
  });

  it('changes nothing for an empty batch or one of duplicates, and reports a gap', () => {
    const start = deepFreeze(
      loadChannelState(emptyChannelState(CID), serverState(2, [message(1), message(2)]), ME),
    );
    expect(applyChannelEvents(start, [], ME)).toEqual({ state: start, gap: false });
    const duplicate: ChannelEvent = {
      type: 'message.new',
      cid: CID,
      seq: 2,
      created_at: T0,
      message: message(2),
    };
    expect(applyChannelEvents(start, [duplicate, duplicate], ME).state).toBe(start);
    const late: ChannelEvent = { type: 'message.new', cid: CID, seq: 5, created_at: T0, message: message(5) };
    expect(applyChannelEvents(start, [late], ME)).toEqual({ state: start, gap: true });
  });
});
