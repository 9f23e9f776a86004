import { Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ChatClient } from '@chat/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectClient, unique } from '../../test/server-harness';
import { ChannelService } from '../channel.service';
import { MessageService } from '../message.service';
import { provideChat } from '../provide-chat';

const run = unique();
const [aliceId, bobId, channelId] = [`alice-${run}`, `bob-${run}`, `trip-${run}`];
let alice: ChatClient;
let bob: ChatClient;
const texts = (list: readonly { text: string }[]) => list.map((m) => m.text);

beforeAll(async () => {
  alice = await connectClient(aliceId);
  bob = await connectClient(bobId);
  await alice.channels.create({ type: 'messaging', id: channelId, members: [aliceId, bobId], name: 'Trip' });
  await alice.channel('messaging', channelId).watch();
});

afterAll(async () => {
  await alice?.disconnect();
  await bob?.disconnect();
});

beforeEach(() => TestBed.configureTestingModule({ providers: [provideChat({ client: bob })] }));

/** Bob's view of the channel, as an app's component would hold it. */
@Component({ selector: 'test-chat-room', template: '' })
class ChatRoom {
  readonly watched = inject(ChannelService).watch('messaging', channelId);
  readonly messages = inject(MessageService).messages(this.watched.channel);
  readonly typing = inject(MessageService).typing(this.watched.channel);
}

async function openRoom() {
  const room = TestBed.createComponent(ChatRoom).componentInstance;
  await vi.waitFor(() => expect(room.watched.state().channel?.cid).toBe(`messaging:${channelId}`));
  return room;
}

describe('a channel shared by two clients', () => {
  it('a message from the other client reaches the signals and the Observables', async () => {
    const room = await openRoom();
    const seen: string[][] = [];
    const subscription = room.messages.messages$.subscribe((list) => seen.push(texts(list)));

    await alice.channel('messaging', channelId).sendMessage({ text: 'hello bob' });

    await vi.waitFor(() => expect(texts(room.messages.messages())).toEqual(['hello bob']));
    expect(seen.at(-1)).toEqual(['hello bob']);
    subscription.unsubscribe();
  });

  it('sends, edits, reacts and deletes through MessageService; the other client sees each', async () => {
    const room = await openRoom();
    const aliceState = alice.channel('messaging', channelId).state;
    const sending = room.messages.send({ text: 'hi alice' });
    expect(room.messages.messages().at(-1)?.status).toBe('sending');
    const sent = await sending;
    await vi.waitFor(() => expect(texts(aliceState.getSnapshot().messages)).toContain('hi alice'));

    await room.messages.edit(sent.id, 'hi alice!');
    await room.messages.react(sent.id, '👍');
    await vi.waitFor(() => {
      const onAliceSide = aliceState.getSnapshot().messages.find((m) => m.id === sent.id);
      expect(onAliceSide?.text).toBe('hi alice!');
      expect(onAliceSide?.reaction_counts['👍']).toBe(1);
    });

    await room.messages.remove(sent.id);
    await vi.waitFor(() =>
      expect(aliceState.getSnapshot().messages.find((m) => m.id === sent.id)?.deleted_at).toBeTruthy(),
    );
  });

  it('loads a thread and keeps its replies live', async () => {
    const parent = await alice.channel('messaging', channelId).sendMessage({ text: 'thread start' });
    await alice.channel('messaging', channelId).sendMessage({ text: 'early reply', parentId: parent.id });
    const room = await openRoom();
    const thread = TestBed.runInInjectionContext(() =>
      TestBed.inject(MessageService).thread(room.watched.channel(), parent.id),
    );

    await vi.waitFor(() => expect(texts(thread.replies())).toEqual(['early reply']));
    expect(thread.parent()?.text).toBe('thread start');
    await thread.send({ text: 'my reply' });
    await alice.channel('messaging', channelId).sendMessage({ text: 'late reply', parentId: parent.id });
    await vi.waitFor(() =>
      expect(texts(thread.replies())).toEqual(['early reply', 'my reply', 'late reply']),
    );
  });

  it('loads older messages on demand', async () => {
    const longId = `long-${run}`;
    const long = await alice.channels.create({ type: 'messaging', id: longId, members: [aliceId, bobId] });
    for (let n = 1; n <= 35; n += 1) await long.sendMessage({ text: `message ${n}` });
    const { messages } = TestBed.runInInjectionContext(() => {
      const watched = inject(ChannelService).watch('messaging', longId);
      return { messages: inject(MessageService).messages(watched.channel) };
    });

    await vi.waitFor(() => expect(messages.messages()).toHaveLength(30)); // core's first page
    expect(messages.hasMore()).toBe(true);
    expect(await messages.loadOlder(10)).toBe(false);
    expect(messages.messages()).toHaveLength(35);
    expect(messages.messages()[0]?.text).toBe('message 1');
    expect(messages.hasMore()).toBe(false);
  });

  it('shows who else is typing, never the connected user', async () => {
    const room = await openRoom();
    room.typing.onKeystroke(); // bob types: not shown to bob
    alice.channel('messaging', channelId).startTyping();

    await vi.waitFor(() => expect(room.typing.typing().map((t) => t.user.id)).toEqual([aliceId]));
    alice.channel('messaging', channelId).stopTyping();
    await vi.waitFor(() => expect(room.typing.typing()).toEqual([]));
  });
});
