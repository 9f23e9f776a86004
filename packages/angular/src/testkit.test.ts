// First: msw needs web streams, which this suite's jsdom environment lacks.
import '../test/web-streams';
import { Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ChatClient } from '@chat/core';
import { createChatTestkit, SAMPLE_SEED } from '@chat/testkit';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelService } from './channel.service';
import { ChatService } from './chat.service';
import { MessageService } from './message.service';
import { provideChat } from './provide-chat';

/**
 * Fast unit tests of the services on `@chat/testkit`: the chat server in memory behind msw, no
 * server process (the e2e tests in src/e2e keep running against the reference server).
 */
const kit = createChatTestkit({ seed: SAMPLE_SEED });
const msw = setupServer(...kit.handlers);
let client: ChatClient;
const texts = (list: readonly { text: string }[]) => list.map((m) => m.text);

beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
afterAll(() => msw.close());
beforeEach(async () => {
  kit.reset();
  // Back after a drop at once: the tests wait on what the services show, never on the clock.
  client = new ChatClient({
    apiKey: kit.apiKey,
    baseUrl: kit.baseUrl,
    connection: { backoff: { baseMs: 10, maxMs: 10 } },
  });
  TestBed.configureTestingModule({ providers: [provideChat({ client })] });
  await client.connect({ id: 'alice' }, kit.tokenFor('alice'));
});
afterEach(() => {
  client.disconnect();
  expect(kit.protocolErrors).toEqual([]);
});

/** Alice's view of #general, as an app's component would hold it. */
@Component({ selector: 'test-kit-room', template: '' })
class Room {
  readonly chat = inject(ChatService);
  readonly watched = inject(ChannelService).watch('messaging', 'general');
  readonly messages = inject(MessageService).messages(this.watched.channel);
  readonly typing = inject(MessageService).typing(this.watched.channel);
  readonly list = inject(ChannelService).list({});
  readonly unread = inject(ChannelService).unreadCount();
  readonly generalUnread = inject(ChannelService).unreadCount('messaging:general');
}

async function openRoom() {
  const room = TestBed.createComponent(Room).componentInstance;
  await vi.waitFor(() => expect(room.watched.state().channel?.cid).toBe('messaging:general'));
  return room;
}

describe('services over the test kit', () => {
  it('ChannelService.watch shows the seeded messages; a message from bob reaches the signal and the Observable', async () => {
    const room = await openRoom();
    expect(texts(room.messages.messages())).toEqual(['welcome, alice', 'thanks!']);
    const seen: string[][] = [];
    const subscription = room.messages.messages$.subscribe((list) => seen.push(texts(list)));
    kit.as('bob').send('messaging:general', 'lunch?');
    await vi.waitFor(() => expect(texts(room.messages.messages())).toContain('lunch?'));
    expect(seen.at(-1)).toContain('lunch?');
    subscription.unsubscribe();
  });

  it('MessageService sends, reacts and deletes; the kit stores what the server would', async () => {
    const room = await openRoom();
    await room.messages.send({ text: 'from the service' });
    const sent = kit.messages('messaging:general').at(-1)!;
    expect(sent).toMatchObject({ text: 'from the service', user_id: 'alice' });
    await room.messages.react(sent.id, '🎉');
    expect(kit.messages('messaging:general').at(-1)?.reaction_counts).toEqual({ '🎉': 1 });
    expect(room.messages.messages().at(-1)?.own_reactions).toEqual(['🎉']);
    await room.messages.remove(sent.id);
    expect(kit.messages('messaging:general').at(-1)?.type).toBe('deleted');
  });

  it('typing shows bob typing, and stops showing it when he stops', async () => {
    const room = await openRoom();
    kit.as('bob').startTyping('messaging:general');
    await vi.waitFor(() => expect(room.typing.typing().map((t) => t.user.name)).toEqual(['Bob']));
    kit.as('bob').stopTyping('messaging:general');
    await vi.waitFor(() => expect(room.typing.typing()).toEqual([]));
  });

  it('the channel list and unread counts follow a message elsewhere and a mark read', async () => {
    const room = await openRoom();
    await vi.waitFor(() =>
      expect(
        room.list
          .channels()
          .map((c) => c.cid)
          .sort(),
      ).toEqual(['messaging:general', 'team:design']),
    );
    expect(room.unread()).toBe(1);
    kit.as('bob').send('team:design', 'new mockups');
    await vi.waitFor(() => expect(room.unread()).toBe(2));
    await room.watched.channel().markRead();
    await vi.waitFor(() => expect(room.generalUnread()).toBe(0));
    expect(room.unread()).toBe(1);
  });

  it('the connection drops: the connection signal shows it, and messages sent meanwhile arrive after the resume', async () => {
    const room = await openRoom();
    kit.goOffline();
    await vi.waitFor(() => expect(room.chat.connectionState().status).toBe('reconnecting'));
    kit.as('bob').send('messaging:general', 'sent while you were away');
    kit.goOnline();
    await vi.waitFor(() => expect(room.chat.connectionState().status).toBe('connected'));
    await vi.waitFor(() => expect(texts(room.messages.messages())).toContain('sent while you were away'));
  });
});
