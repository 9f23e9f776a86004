import type { Channel, ChatClient } from '@chat/core';
import { act, renderHook, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectUser, inProvider, register, trackedClient, userId } from '../../test/harness';
import { useChannel } from '../use-channel';
import { useChannelMute } from '../use-channel-mute';
import { usePushPreferences } from '../use-push-preferences';

let alice: ChatClient;
let bob: ChatClient;
const clients: ChatClient[] = [];

beforeAll(async () => {
  alice = (await connectUser('alice')).client;
  bob = (await connectUser('bob')).client;
  clients.push(alice, bob);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
});

let channels = 0;
async function newChannel(name: string): Promise<Channel> {
  channels += 1;
  return alice.channels.create({
    type: 'messaging',
    id: `${name}-${channels}-${userId('x')}`,
    members: [userId('alice'), userId('bob')],
    name,
  });
}

/** Another session (device) of a registered user. */
async function secondSession(name: string): Promise<ChatClient> {
  const { client } = trackedClient();
  clients.push(client);
  await client.auth.login({ username: userId(name), password: 'correct horse battery' });
  return client;
}

const requestsOf = (spy: { mock: { calls: unknown[][] } }, endpoint: string) =>
  spy.mock.calls.filter(([name]) => name === endpoint).length;

describe('usePushPreferences', () => {
  it('loads once the user is connected (once under StrictMode), and shows the server defaults', async () => {
    const { client } = trackedClient();
    clients.push(client);
    const requests = vi.spyOn(client.http, 'request');
    const { result } = renderHook(() => usePushPreferences(), inProvider(client));
    expect(result.current.preferences).toBeNull();
    expect(result.current.loading).toBe(false);

    await act(() => register(client, 'carol'));
    await waitFor(() => expect(result.current.preferences).not.toBeNull());
    expect(result.current.preferences).toEqual({ level: 'all', dnd_until: null, channels: [] });
    expect(result.current.loading).toBe(false);
    expect(result.current.error).toBeNull();
    expect(requestsOf(requests, 'getPushPreferences')).toBe(1);

    // Another user on the same client: carol's preferences go, dave's load.
    await act(() => result.current.update({ level: 'none' }));
    await act(() => client.disconnect());
    expect(result.current.preferences).toBeNull();
    await act(() => register(client, 'dave'));
    await waitFor(() => expect(result.current.preferences?.level).toBe('all'));
    expect(requestsOf(requests, 'getPushPreferences')).toBe(2);
  });

  it('updates the level, do-not-disturb and a channel level: at once, then as the server stored them, in every hook of the client', async () => {
    const general = await newChannel('prefs');
    const { result } = renderHook(() => usePushPreferences(), inProvider(alice));
    const other = renderHook(() => usePushPreferences(), inProvider(alice));
    await waitFor(() => expect(result.current.preferences).not.toBeNull());

    let saving!: Promise<unknown>;
    act(() => {
      saving = result.current.update({ level: 'mentions' });
    });
    // Shown before the server answers, so a radio button follows the click at once.
    expect(result.current.preferences?.level).toBe('mentions');
    await act(() => saving);
    expect(other.result.current.preferences?.level).toBe('mentions');

    const until = new Date(Date.now() + 3_600_000);
    await act(() => result.current.update({ dnd_until: until.toISOString() }));
    expect(Date.parse(result.current.preferences!.dnd_until!)).toBe(until.getTime());
    await act(() => result.current.update({ channels: [{ cid: general.cid, level: 'none' }] }));
    expect(result.current.preferences?.channels).toEqual([{ cid: general.cid, level: 'none' }]);

    // The server agrees (a fresh read, not the hook's copy).
    expect(await alice.devices.preferences()).toEqual(result.current.preferences);

    await act(() =>
      result.current.update({ dnd_until: null, channels: [{ cid: general.cid, level: null }] }),
    );
    expect(result.current.preferences).toMatchObject({ level: 'mentions', dnd_until: null, channels: [] });
    expect(other.result.current.preferences).toBe(result.current.preferences);
    await act(() => result.current.update({ level: 'all' }));
    other.unmount();
  });

  it('a refused change puts the previous value back, shows the error and rejects', async () => {
    const { result } = renderHook(() => usePushPreferences(), inProvider(alice));
    await waitFor(() => expect(result.current.preferences).not.toBeNull());
    const before = result.current.preferences;

    let failure: unknown;
    await act(async () => {
      // alice is no member of this channel: the server changes nothing and answers 404.
      failure = await result.current
        .update({ level: 'none', channels: [{ cid: `messaging:nowhere-${userId('x')}`, level: 'none' }] })
        .catch((error: unknown) => error);
    });
    expect(failure).toMatchObject({ code: 'not_found' });
    expect(result.current.error?.code).toBe('not_found');
    expect(result.current.preferences).toEqual(before);
    expect((await alice.devices.preferences()).level).toBe(before?.level);

    // The next success clears it.
    await act(() => result.current.update({ level: 'all' }));
    expect(result.current.error).toBeNull();
  });
});

describe('useChannelMute', () => {
  it('mutes and unmutes from the hook; the own membership says so, for the server too', async () => {
    const channel = await newChannel('mute');
    const { result, unmount } = renderHook(() => {
      const { channel: handle, state } = useChannel(channel.type, channel.id);
      return { loaded: state.channel !== null, ...useChannelMute(handle) };
    }, inProvider(alice));
    await waitFor(() => expect(channel.isWatching && result.current.loaded).toBe(true));
    expect(result.current.muted).toBe(false);

    await act(() => result.current.mute());
    expect(result.current.muted).toBe(true);
    expect(channel.state.getSnapshot().members[userId('alice')]?.muted).toBe(true);
    // Bob's view of alice agrees: the server stored it.
    const bobs = bob.channel(channel.type, channel.id);
    await bobs.watch();
    expect(bobs.state.getSnapshot().members[userId('alice')]?.muted).toBe(true);

    await act(() => result.current.toggle());
    expect(result.current.muted).toBe(false);
    await act(() => result.current.toggle());
    expect(result.current.muted).toBe(true);
    await act(() => result.current.unmute());
    expect(result.current.muted).toBe(false);
    unmount();
  });

  it('follows a mute made on another device of the user (member.updated)', async () => {
    const channel = await newChannel('elsewhere');
    const { result, unmount } = renderHook(
      () => useChannelMute(useChannel(channel.type, channel.id).channel),
      inProvider(alice),
    );
    await waitFor(() => expect(channel.isWatching && !channel.state.getSnapshot().loading).toBe(true));
    expect(result.current.muted).toBe(false);

    const phone = await secondSession('alice');
    await phone.channel(channel.type, channel.id).mute();
    await waitFor(() => expect(result.current.muted).toBe(true));
    await phone.channel(channel.type, channel.id).unmute();
    await waitFor(() => expect(result.current.muted).toBe(false));
    unmount();
  });
});
