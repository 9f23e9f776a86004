import type { ChatClient } from '@chat/core';
import { act, renderHook, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectUser, inProvider, type Traffic, trackedClient, until, userId } from '../../test/harness';
import { useChannels } from '../use-channels';
import { usePresence } from '../use-presence';
import { useUnreadCount } from '../use-unread-count';

let alice: { client: ChatClient; traffic: Traffic };
let bob: { client: ChatClient; traffic: Traffic };
const clients: ChatClient[] = [];

beforeAll(async () => {
  alice = await connectUser('alice');
  bob = await connectUser('bob');
  clients.push(alice.client, bob.client);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
});

/** A new channel of alice and bob (or `members`); `theirs` is bob's handle on it. */
async function newChannel(name: string, members = [userId('alice'), userId('bob')]) {
  const channel = await alice.client.channels.create({
    type: 'messaging',
    id: `${name}-${userId('x')}`,
    members,
    name,
  });
  return { channel, theirs: bob.client.channel(channel.type, channel.id) };
}

/** How often `alice.client` asked the server for a page of channels. */
function countChannelQueries() {
  const spy = vi.spyOn(alice.client.http, 'request');
  return {
    count: () => spy.mock.calls.filter(([name]) => name === 'queryChannels').length,
    restore: () => spy.mockRestore(),
  };
}

describe('useChannels', () => {
  it('loads the first page once in StrictMode, keeps one query for an equal literal, and stays live', async () => {
    const first = await newChannel('list-a');
    const second = await newChannel('list-b');
    const queries = countChannelQueries();
    const { result, rerender, unmount } = renderHook(() => useChannels({ sort: { last_message_at: -1 } }), {
      ...inProvider(alice.client, true),
    });
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.loading).toBe(false));
    const cids = result.current.channels.map((c) => c.cid);
    expect(cids).toEqual(expect.arrayContaining([first.channel.cid, second.channel.cid]));
    expect(result.current.error).toBeNull();
    expect(queries.count()).toBe(1);
    const { loadMore } = result.current;
    rerender(); // a new but equal query literal
    expect(queries.count()).toBe(1);
    expect(result.current.loadMore).toBe(loadMore);

    // Live: bob's message moves the channel to the top with one unread.
    await act(() => first.theirs.sendMessage({ text: 'up you go' }));
    await waitFor(() => expect(result.current.channels[0]?.cid).toBe(first.channel.cid));
    expect(result.current.channels[0]?.unreadCount).toBe(1);
    expect(result.current.channels[0]?.lastMessage?.text).toBe('up you go');
    queries.restore();
    unmount();
  });

  it('fetches again when the query changes, and loadMore appends the next page', async () => {
    await newChannel('page-1');
    await newChannel('page-2');
    await newChannel('page-3');
    const queries = countChannelQueries();
    const { result, rerender, unmount } = renderHook(
      ({ limit }) => useChannels({ sort: { last_message_at: -1 }, limit }),
      { ...inProvider(alice.client), initialProps: { limit: 30 } },
    );
    await waitFor(() => expect(result.current.loading).toBe(false));
    const all = result.current.channels.length;
    expect(all).toBeGreaterThanOrEqual(5);
    expect(result.current.hasMore).toBe(false);

    rerender({ limit: 2 });
    await waitFor(() => expect(result.current.channels).toHaveLength(2));
    expect(result.current.hasMore).toBe(true);
    expect(queries.count()).toBe(2);

    await act(() => result.current.loadMore());
    expect(result.current.channels).toHaveLength(4);
    expect(queries.count()).toBe(3);
    queries.restore();
    unmount();
  });
});

describe('useUnreadCount and usePresence', () => {
  it('re-render only when their own number or flag changes', async () => {
    const quiet = await newChannel('quiet');
    const busy = await newChannel('busy');
    const options = inProvider(alice.client, false); // no StrictMode: count real renders only
    const renders = { quiet: 0, total: 0, bob: 0 };
    const quietCount = renderHook(() => {
      renders.quiet += 1;
      return useUnreadCount(quiet.channel.cid);
    }, options);
    const total = renderHook(() => {
      renders.total += 1;
      return useUnreadCount();
    }, options);
    const bobOnline = renderHook(() => {
      renders.bob += 1;
      return usePresence(userId('bob'));
    }, options);
    expect(quietCount.result.current).toBe(0);
    const totalBefore = total.result.current;
    expect(bobOnline.result.current).toBe(true); // seen as a member when the channel was created
    const before = { ...renders };

    // Alice's own message reorders the list and changes its last message, not a count.
    await act(async () => {
      await quiet.channel.sendMessage({ text: 'my own message' });
      await until(alice.client.channels.list, (list) => list[0]?.lastMessage?.text === 'my own message');
    });
    expect(renders).toEqual(before);

    // Bob's message in another channel changes the total only.
    await act(() => busy.theirs.sendMessage({ text: 'elsewhere' }));
    await waitFor(() => expect(total.result.current).toBe(totalBefore + 1));
    expect(renders).toEqual({ ...before, total: before.total + 1 });
    expect(quietCount.result.current).toBe(0);

    // Bob's message in the quiet channel changes its count (and the total).
    await act(() => quiet.theirs.sendMessage({ text: 'here' }));
    await waitFor(() => expect(quietCount.result.current).toBe(1));
    expect(renders.quiet).toBe(before.quiet + 1);
    expect(renders.bob).toBe(before.bob);

    quietCount.unmount();
    total.unmount();
    bobOnline.unmount();
  });

  it("usePresence follows a user coming online, and only that user's hook re-renders", async () => {
    // Dave has an account but no socket yet, so he is offline; a shared channel makes him known.
    const dave = trackedClient();
    clients.push(dave.client);
    const account = await dave.client.http.request('register', {
      body: { username: userId('dave'), password: 'correct horse battery', name: 'dave' },
    });
    await newChannel('with-dave', [userId('alice'), userId('dave')]);
    const options = inProvider(alice.client, false);
    const renders = { dave: 0, bob: 0 };
    const daveOnline = renderHook(() => {
      renders.dave += 1;
      return usePresence(userId('dave'));
    }, options);
    const bobOnline = renderHook(() => {
      renders.bob += 1;
      return usePresence(userId('bob'));
    }, options);
    expect(daveOnline.result.current).toBe(false);
    const before = { ...renders };

    await act(() => dave.client.connect(account.user, account.access_token));
    await waitFor(() => expect(daveOnline.result.current).toBe(true));
    expect(renders).toEqual({ dave: before.dave + 1, bob: before.bob });
    daveOnline.unmount();
    bobOnline.unmount();
  });
});
