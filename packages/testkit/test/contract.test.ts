import type { Channel } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { type Backend, referenceServer, testkit } from './backends';
import { channelView, listView, until } from './sdk-view';

/**
 * The contract: one scenario of the SDK's main flows (connect, create and list channels, watch,
 * send, edit, delete, react, reply, typing, read state, a dropped connection and its resume, a
 * notification of a channel not watched) runs against the reference server and against the kit,
 * and what `@chat/core`'s stores show at each step must be the same: texts, reactions, threads,
 * members, read states, unread counts, typing, and the channels' seqs.
 */
type Views = Record<string, unknown>;

async function scenario(backend: Backend): Promise<Views> {
  const views: Views = {};
  // Users exist once they connected (the server creates them on their first socket).
  const alice = await backend.connect('alice');
  const bob = await backend.connect('bob');
  const seen = (name: string, channels: Channel[]) => {
    views[name] = {
      alice: { list: listView(alice.client), channel: channels[0] && channelView(channels[0]) },
      bob: { list: listView(bob.client), channel: channels[1] && channelView(channels[1]) },
    };
  };

  const a = await alice.client.channels.create({
    type: 'messaging',
    id: 'trip',
    members: ['bob'],
    name: 'Trip',
  });
  await a.watch();
  await bob.client.channels.query({ filter: { members: ['bob'] }, sort: { last_message_at: -1 } });
  const b = bob.client.channel('messaging', 'trip');
  await b.watch();
  seen('created and watched', [a, b]);

  const hi = await a.sendMessage({ text: 'hi bob' });
  await until(b.state, (s) => s.messages.some((m) => m.id === hi.id));
  seen('a message', [a, b]);

  await a.updateMessage(hi.id, { text: 'hi bob!' });
  await until(b.state, (s) => s.messages[0]?.text === 'hi bob!');
  await b.sendReaction(hi.id, '👍');
  await until(a.state, (s) => s.messages[0]?.reaction_counts['👍'] === 1);
  const oops = await a.sendMessage({ text: 'oops' });
  await until(b.state, (s) => s.messages.some((m) => m.id === oops.id));
  await a.deleteMessage(oops.id);
  await until(b.state, (s) => s.messages.find((m) => m.id === oops.id)?.type === 'deleted');
  const reply = await b.sendMessage({ text: 'in a thread', parentId: hi.id });
  await until(a.state, (s) => s.threads[hi.id]?.some((m) => m.id === reply.id) ?? false);
  await until(a.state, (s) => s.messages[0]?.reply_count === 1);
  await until(b.state, (s) => s.lastSeq === a.state.getSnapshot().lastSeq);
  seen('edited, reacted, deleted, replied', [a, b]);

  a.startTyping();
  await until(b.state, (s) => s.typing.alice !== undefined);
  seen('alice types', [a, b]);
  a.stopTyping();
  await until(b.state, (s) => s.typing.alice === undefined);

  await b.markRead();
  await until(a.state, (s) => s.read.bob?.unread_count === 0 && s.read.bob.last_read_message_id !== null);
  seen('bob read it', [a, b]);

  // Bob's connection drops; alice writes meanwhile; bob comes back and resumes from his last seq.
  bob.drop();
  await a.sendMessage({ text: 'are you there?' });
  await a.sendMessage({ text: 'hello?' });
  await until(b.state, (s) => s.messages.some((m) => m.text === 'hello?'));
  await until(bob.client.connection, (c) => c.status === 'connected');
  await until(b.state, (s) => s.lastSeq === a.state.getSnapshot().lastSeq);
  seen('bob came back', [a, b]);

  // A channel bob does not watch: the list hears of the new message, with its unread count.
  const side = await alice.client.channels.create({
    type: 'messaging',
    id: 'side',
    members: ['bob'],
    name: 'Side',
  });
  await until(bob.client.channels.list, (list) => list.some((e) => e.cid === side.cid));
  await side.sendMessage({ text: 'psst' });
  await until(bob.client.channels.list, (list) => list.find((e) => e.cid === side.cid)?.unreadCount === 1);
  await until(bob.client.channels.unreadTotal, (total) => total === 3);
  seen('a channel bob does not watch', [a, b]);

  // Fresh loads: what the backend itself computes (reply and reaction counts, unread counts, reads).
  const bobAgain = await backend.connect('bob');
  await bobAgain.client.channels.query({ filter: { members: ['bob'] }, sort: { last_message_at: -1 } });
  const fresh = bobAgain.client.channel('messaging', 'trip');
  await fresh.watch();
  views['bob on another device'] = { list: listView(bobAgain.client), channel: channelView(fresh) };

  return views;
}

describe('the kit and the reference server show the SDK the same', () => {
  const results: Record<string, Views> = {};

  it('runs the scenario against the reference server', async () => {
    const backend = await referenceServer();
    try {
      results.server = await scenario(backend);
    } finally {
      await backend.close();
    }
  });

  it('runs the scenario against the kit', async () => {
    const backend = await testkit();
    try {
      results.kit = await scenario(backend);
    } finally {
      await backend.close();
    }
  });

  it('every step looks the same', () => {
    expect(results.server, 'the reference server run failed').toBeDefined();
    expect(results.kit, 'the kit run failed').toBeDefined();
    const steps = Object.keys(results.server!);
    expect(Object.keys(results.kit!)).toEqual(steps);
    for (const step of steps) expect(results.kit![step], step).toEqual(results.server![step]);
  });
});
