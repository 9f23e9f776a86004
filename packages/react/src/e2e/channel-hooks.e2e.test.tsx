import { type Channel, type ChatClient, UNWATCH_GRACE_MS } from '@chat/core';
import { act, renderHook, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectUser, inProvider, register, type Traffic, trackedClient, userId } from '../../test/harness';
import { useChannel } from '../use-channel';
import { useChat } from '../use-chat';
import { useConnectionState } from '../use-connection-state';
import { useMessages } from '../use-messages';
import { useThread } from '../use-thread';
import { useTyping } from '../use-typing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let alice: { client: ChatClient; traffic: Traffic };
let bob: { client: ChatClient; traffic: Traffic };
let trip: Channel;
const clients: ChatClient[] = [];

beforeAll(async () => {
  alice = trackedClient();
  clients.push(alice.client);
  bob = await connectUser('bob');
  clients.push(bob.client);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
});

/** A new channel of alice and bob; `bob` gets his own handle on it. */
async function newChannel(name: string) {
  const channel = await alice.client.channels.create({
    type: 'messaging',
    id: `${name}-${userId('x')}`,
    members: [userId('alice'), userId('bob')],
    name,
  });
  return { channel, bobs: bob.client.channel(channel.type, channel.id) };
}

describe('useChat and useConnectionState', () => {
  it('follow the client from idle to connected, with the server user, rendering no socket themselves', async () => {
    const { result } = renderHook(() => ({ chat: useChat(), connection: useConnectionState() }), {
      ...inProvider(alice.client),
    });
    expect(result.current.chat.client).toBe(alice.client);
    expect(result.current.chat.user).toBeUndefined();
    expect(result.current.connection.status).toBe('idle');
    expect(alice.traffic.sockets).toHaveLength(0);

    await act(() => register(alice.client, 'alice'));
    expect(result.current.connection.status).toBe('connected');
    expect(result.current.chat.user?.id).toBe(userId('alice'));
    expect(alice.traffic.sockets).toHaveLength(1);
  });
});

describe('useChannel', () => {
  it('in StrictMode: one socket and one watch for a double mount, released after the grace period on unmount', async () => {
    const { channel } = await newChannel('strict');
    trip = channel;
    const retain = vi.spyOn(channel, 'retainWatch');
    const { result, unmount } = renderHook(() => useChannel('messaging', channel.id), {
      ...inProvider(alice.client, true),
    });
    expect(result.current.channel).toBe(channel);
    await waitFor(() => expect(channel.isWatching).toBe(true));
    await waitFor(() => expect(result.current.state.loading).toBe(false));
    expect(result.current.state.channel?.name).toBe('strict');
    // Longer than the grace period: the StrictMode release/retain must not have churned.
    await sleep(UNWATCH_GRACE_MS * 2);
    expect(alice.traffic.sockets).toHaveLength(1);
    expect(alice.traffic.count('channel.watch', channel.cid)).toBe(1);
    expect(alice.traffic.count('channel.unwatch', channel.cid)).toBe(0);
    expect(retain).toHaveBeenCalledTimes(2); // StrictMode did mount, unmount and mount again
    retain.mockRestore();

    unmount();
    expect(channel.isWatching).toBe(true); // still within the grace period
    await waitFor(() => expect(alice.traffic.count('channel.unwatch', channel.cid)).toBe(1), {
      timeout: UNWATCH_GRACE_MS * 5,
    });
    expect(channel.isWatching).toBe(false);
    expect(alice.traffic.count('channel.watch', channel.cid)).toBe(1);
    expect(alice.traffic.sockets).toHaveLength(1);
  });

  it('releases the old channel and retains the new one when type/id change', async () => {
    const first = await newChannel('first');
    const second = await newChannel('second');
    const { result, rerender, unmount } = renderHook(({ id }) => useChannel('messaging', id), {
      ...inProvider(alice.client),
      initialProps: { id: first.channel.id },
    });
    await waitFor(() => expect(first.channel.isWatching).toBe(true));
    rerender({ id: second.channel.id });
    expect(result.current.channel).toBe(second.channel);
    await waitFor(() => expect(second.channel.isWatching).toBe(true));
    await waitFor(() => expect(first.channel.isWatching).toBe(false), { timeout: UNWATCH_GRACE_MS * 5 });
    expect(result.current.state.channel?.name).toBe('second');
    unmount();
  });
});

describe('useMessages', () => {
  it('shows a message sent by another client, re-rendering for it', async () => {
    const bobs = bob.client.channel(trip.type, trip.id);
    let renders = 0;
    const { result, unmount } = renderHook(() => {
      renders += 1;
      const { channel } = useChannel(trip.type, trip.id);
      return useMessages(channel);
    }, inProvider(alice.client));
    await waitFor(() => expect(trip.isWatching && !result.current.loading).toBe(true));
    const before = renders;
    await act(() => bobs.sendMessage({ text: 'hello from bob' }));
    await waitFor(() => expect(result.current.messages.at(-1)?.text).toBe('hello from bob'));
    expect(result.current.messages.at(-1)?.user_id).toBe(userId('bob'));
    expect(renders).toBeGreaterThan(before);
    unmount();
  });

  it('sends, edits, reacts, unreacts and removes through the hook', async () => {
    const { channel } = await newChannel('actions');
    const { result, unmount } = renderHook(() => useMessages(useChannel(channel.type, channel.id).channel), {
      ...inProvider(alice.client),
    });
    await waitFor(() => expect(channel.isWatching && !result.current.loading).toBe(true));
    const actions = result.current;

    let sending!: Promise<unknown>;
    act(() => {
      sending = result.current.send({ text: 'draft' });
    });
    expect(result.current.messages.at(-1)).toMatchObject({ text: 'draft', status: 'sending' });
    await act(() => sending);
    const sent = result.current.messages.at(-1)!;
    expect(sent.status).toBe('sent');

    await act(() => result.current.edit(sent.id, 'final'));
    expect(result.current.messages.at(-1)?.text).toBe('final');
    await act(() => result.current.react(sent.id, 'like'));
    expect(result.current.messages.at(-1)?.reaction_counts).toEqual({ like: 1 });
    await act(() => result.current.unreact(sent.id, 'like'));
    expect(result.current.messages.at(-1)?.reaction_counts.like ?? 0).toBe(0);
    await act(() => result.current.remove(sent.id));
    expect(result.current.messages.at(-1)?.type).toBe('deleted');

    // The actions keep their identity across renders of the same channel.
    expect(result.current.send).toBe(actions.send);
    expect(result.current.edit).toBe(actions.edit);
    unmount();
  });

  it('marks a refused send failed; retry sends it again, discard drops it', async () => {
    const { channel } = await newChannel('failing');
    const { result, unmount } = renderHook(() => useMessages(useChannel(channel.type, channel.id).channel), {
      ...inProvider(alice.client),
    });
    await waitFor(() => expect(channel.isWatching && !result.current.loading).toBe(true));
    const tooLong = 'x'.repeat(5_001); // over the protocol's MESSAGE_TEXT_LENGTH
    await act(() => expect(result.current.send({ text: tooLong })).rejects.toThrow());
    const failed = result.current.messages.at(-1)!;
    expect(failed.status).toBe('failed');
    await act(() => expect(result.current.retry(failed.id)).rejects.toThrow());
    expect(result.current.messages.at(-1)?.status).toBe('failed');
    act(() => result.current.discard(failed.id));
    expect(result.current.messages).toHaveLength(0);
    unmount();
  });

  it('pages older messages with loadOlder; hasMore follows the server', async () => {
    const { channel, bobs } = await newChannel('history');
    for (let i = 1; i <= 35; i += 1) await bobs.sendMessage({ text: `m${i}` });
    const { result, unmount } = renderHook(() => useMessages(useChannel(channel.type, channel.id).channel), {
      ...inProvider(alice.client),
    });
    await waitFor(() => expect(result.current.messages).toHaveLength(30));
    expect(result.current.hasMore).toBe(true);
    expect(result.current.messages[0]?.text).toBe('m6');
    let more: boolean | undefined;
    await act(async () => {
      more = await result.current.loadOlder(10);
    });
    expect(more).toBe(false);
    expect(result.current.hasMore).toBe(false);
    expect(result.current.messages.map((m) => m.text)).toEqual(
      Array.from({ length: 35 }, (_, i) => `m${i + 1}`),
    );
    unmount();
  });
});

describe('useThread', () => {
  it('loads the replies of a thread on mount, shows new ones live, and sends into the thread', async () => {
    const { channel, bobs } = await newChannel('thread');
    const parent = await bobs.sendMessage({ text: 'question' });
    await bobs.sendMessage({ text: 'first answer', parentId: parent.id });
    const { result, unmount } = renderHook(() => {
      const { channel: handle } = useChannel(channel.type, channel.id);
      return useThread(handle, parent.id);
    }, inProvider(alice.client));
    await waitFor(() => expect(result.current.replies.map((m) => m.text)).toEqual(['first answer']));
    await waitFor(() => expect(result.current.parent?.text).toBe('question'));
    await act(() => bobs.sendMessage({ text: 'second answer', parentId: parent.id }));
    await waitFor(() => expect(result.current.replies).toHaveLength(2));
    await act(() => result.current.send({ text: 'my answer' }));
    expect(result.current.replies.map((m) => m.text)).toEqual(['first answer', 'second answer', 'my answer']);
    expect(result.current.replies.at(-1)?.parent_id).toBe(parent.id);
    // Replies stay out of the channel's top-level messages.
    expect(channel.state.getSnapshot().messages.map((m) => m.text)).toEqual(['question']);
    unmount();
  });
});

describe('useTyping', () => {
  it("shows the other user's typing in its scope, never the user's own, and sends keystrokes", async () => {
    const { channel, bobs } = await newChannel('typing');
    const bobsRelease = bobs.retainWatch();
    const { result, unmount } = renderHook(() => {
      const { channel: handle } = useChannel(channel.type, channel.id);
      return { channel: useTyping(handle), thread: useTyping(handle, 'some-parent') };
    }, inProvider(alice.client));
    await waitFor(() => expect(channel.isWatching && bobs.isWatching).toBe(true));
    await waitFor(() => expect(channel.state.getSnapshot().loading).toBe(false));

    act(() => bobs.startTyping());
    await waitFor(() => expect(result.current.channel.typing.map((t) => t.user.id)).toEqual([userId('bob')]));
    expect(result.current.thread.typing).toEqual([]);

    act(() => result.current.channel.onKeystroke());
    await waitFor(() => expect(alice.traffic.count('typing.start', channel.cid)).toBe(1));
    await waitFor(() => expect(Object.keys(bobs.state.getSnapshot().typing)).toContain(userId('alice')));
    // Alice's own typing is in the channel state but never in her hook.
    expect(Object.keys(channel.state.getSnapshot().typing)).not.toContain(userId('alice'));
    expect(result.current.channel.typing.map((t) => t.user.id)).toEqual([userId('bob')]);

    act(() => result.current.channel.stop());
    await waitFor(() => expect(alice.traffic.count('typing.stop', channel.cid)).toBe(1));
    act(() => bobs.stopTyping());
    await waitFor(() => expect(result.current.channel.typing).toEqual([]));
    unmount();
    bobsRelease();
  });
});
