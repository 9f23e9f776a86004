import { type ChatClient, ChatError } from '@chat/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { connectUser, mountComposable, newClient, userId } from '../../test/harness';
import { useChannels } from '../use-channels';
import { useChat } from '../use-chat';
import { useConnectionState } from '../use-connection-state';
import { usePresence } from '../use-presence';
import { useUnreadCount } from '../use-unread-count';

let alice: ChatClient;
let bob: ChatClient;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
  const members = [alice.userId!, bob.userId!];
  // Created oldest first: the list shows them newest activity first.
  for (const id of ['one', 'two', 'three']) await alice.channels.create({ type: 'messaging', id, members });
});

afterAll(async () => {
  await Promise.all([alice?.disconnect(), bob?.disconnect()]);
});

describe('useChat and useConnectionState', () => {
  it('follow the user and the connection from login to logout', async () => {
    const client = newClient();
    const { result, unmount } = mountComposable(client, () => ({
      ...useChat(),
      connection: useConnectionState(),
    }));
    expect(result.client).toBe(client);
    expect(result.user.value).toBeUndefined();
    expect(result.connection.value.status).toBe('idle');

    await client.auth.register({ username: userId('carol'), password: PASSWORD });
    expect(result.user.value?.id).toBe(userId('carol'));
    expect(result.connection.value.status).toBe('connected');

    await client.auth.logout();
    expect(result.user.value).toBeUndefined();
    expect(result.connection.value.status).toBe('disconnected');
    unmount();
  });
});

describe('useChannels', () => {
  it('loads the first page on setup, pages on, and stays live', async () => {
    const query = {
      filter: { type: 'messaging' as const },
      sort: { last_message_at: -1 as const },
      limit: 2,
    };
    const { result, unmount } = mountComposable(alice, () => useChannels(query));
    await vi.waitFor(() => expect(result.channels.value.map((e) => e.channel.id)).toEqual(['three', 'two']));
    expect(result.hasMore.value).toBe(true);
    expect(result.loading.value).toBe(false);
    expect(result.error.value).toBeNull();

    await result.loadMore();
    expect(result.channels.value.map((e) => e.channel.id)).toEqual(['three', 'two', 'one']);
    expect(result.hasMore.value).toBe(false);

    await bob.channel('messaging', 'one').sendMessage({ text: 'bump' });
    await vi.waitFor(() => expect(result.channels.value[0]?.channel.id).toBe('one'));
    expect(result.channels.value[0]?.lastMessage?.text).toBe('bump');
    unmount();
  });

  it('reloads when the query changes (by content), and shows a failure in error', async () => {
    const type = ref<'messaging' | 'team'>('messaging');
    const queryChannels = vi.spyOn(alice.http, 'request');
    const { result, unmount } = mountComposable(alice, () =>
      useChannels(() => ({ filter: { type: type.value }, limit: 10 })),
    );
    await vi.waitFor(() => expect(result.channels.value).toHaveLength(3));
    const calls = () => queryChannels.mock.calls.filter(([name]) => name === 'queryChannels').length;
    expect(calls()).toBe(1);

    type.value = 'team';
    await vi.waitFor(() => expect(result.channels.value).toEqual([]));
    expect(calls()).toBe(2);
    type.value = 'team'; // same content: no reload
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls()).toBe(2);
    queryChannels.mockRestore();
    unmount();

    const failing = mountComposable(alice, () => useChannels({ limit: 100_000 }));
    await vi.waitFor(() => expect(failing.result.error.value).toBeInstanceOf(ChatError));
    expect(failing.result.loading.value).toBe(false);
    failing.unmount();
  });
});

describe('useUnreadCount', () => {
  it('gives the total and one channel’s count, live', async () => {
    const { result, unmount } = mountComposable(alice, () => ({
      list: useChannels({ limit: 10 }),
      total: useUnreadCount(),
      two: useUnreadCount('messaging:two'),
    }));
    await vi.waitFor(() => expect(result.list.channels.value).toHaveLength(3));
    const before = result.total.value;
    expect(result.two.value).toBe(0);

    await bob.channel('messaging', 'two').sendMessage({ text: 'unread 1' });
    await bob.channel('messaging', 'two').sendMessage({ text: 'unread 2' });
    await vi.waitFor(() => expect(result.two.value).toBe(2));
    await vi.waitFor(() => expect(result.total.value).toBe(before + 2));

    await alice.channel('messaging', 'two').markRead();
    await vi.waitFor(() => expect(result.two.value).toBe(0));
    expect(result.total.value).toBe(before);
    unmount();
  });
});

describe('usePresence', () => {
  it('follows whether another user is online', async () => {
    const dave = await connectUser('dave');
    await alice.channels.create({
      type: 'messaging',
      id: 'with-dave',
      members: [alice.userId!, dave.userId!],
    });
    const { result, unmount } = mountComposable(alice, () => usePresence(userId('dave')));
    // Seeded by the channel's members.
    expect(result.value).toBe(true);

    await dave.disconnect();
    await vi.waitFor(() => expect(result.value).toBe(false));
    await dave.auth.login({ username: userId('dave'), password: PASSWORD });
    await vi.waitFor(() => expect(result.value).toBe(true));
    unmount();
    await dave.disconnect();
  });
});
