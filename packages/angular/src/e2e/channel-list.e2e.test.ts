import { Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ChatClient } from '@chat/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, unique } from '../../test/server-harness';
import { ChannelService } from '../channel.service';
import { provideChat } from '../provide-chat';

const run = unique();
const [aliceId, bobId] = [`alice-${run}`, `bob-${run}`];
const channelIds = ['one', 'two', 'three'].map((name) => `${name}-${run}`);
let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  alice = await connectClient(aliceId);
  bob = await connectClient(bobId);
  for (const id of channelIds) {
    await alice.channels.create({ type: 'messaging', id, members: [aliceId, bobId] });
  }
});

afterAll(async () => {
  await alice?.disconnect();
  await bob?.disconnect();
});

@Component({ selector: 'test-channel-list', template: '' })
class ChannelList {
  private readonly channels = inject(ChannelService);
  readonly list = this.channels.list({
    filter: { members: [bobId] },
    sort: { last_message_at: -1 },
    limit: 2,
  });
  readonly total = this.channels.unreadCount();
  readonly unreadOfOne = this.channels.unreadCount(`messaging:${channelIds[0]}`);
}

describe('ChannelService.list', () => {
  it('loads pages, and keeps order and unread counts live', async () => {
    TestBed.configureTestingModule({ providers: [provideChat({ client: bob })] });
    const { list, total, unreadOfOne } = TestBed.createComponent(ChannelList).componentInstance;
    const states: boolean[] = [];
    list.state$.subscribe((state) => states.push(state.loading));

    await vi.waitFor(() => expect(states.at(-1)).toBe(false));
    expect(states[0]).toBe(true); // the first page was already on its way
    expect(list.channels()).toHaveLength(2);
    expect(list.hasMore()).toBe(true);
    expect(list.error()).toBeNull();
    await list.loadMore();
    expect(list.channels()).toHaveLength(3);

    await alice.channel('messaging', channelIds[0]!).sendMessage({ text: 'news' });
    await alice.channel('messaging', channelIds[0]!).sendMessage({ text: 'more news' });

    await vi.waitFor(() => expect(list.channels()[0]?.unreadCount).toBe(2));
    expect(list.channels()[0]?.cid).toBe(`messaging:${channelIds[0]}`);
    expect(list.channels()[0]?.lastMessage?.text).toBe('more news');
    expect(unreadOfOne()).toBe(2);
    expect(total()).toBe(2);
  });
});
