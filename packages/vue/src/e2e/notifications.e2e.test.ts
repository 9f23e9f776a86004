import type { Channel, ChatClient } from '@chat/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { connectUser, mountComposable, newClient, userId } from '../../test/harness';
import { useChannel } from '../use-channel';
import { useChannelMute } from '../use-channel-mute';
import { usePushPreferences } from '../use-push-preferences';

let alice: ChatClient;
let bob: ChatClient;
const clients: ChatClient[] = [];
let count = 0;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
  clients.push(alice, bob);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
});

async function newChannel(name: string): Promise<Channel> {
  count += 1;
  const id = `${name}-${count}-${userId('x')}`;
  return alice.channels.create({ type: 'messaging', id, members: [alice.userId!, bob.userId!], name });
}

describe('usePushPreferences', () => {
  it('loads once a user is connected, and again for the next user of the client', async () => {
    const client = newClient();
    clients.push(client);
    const requests = vi.spyOn(client.http, 'request');
    const loads = () => requests.mock.calls.filter(([name]) => name === 'getPushPreferences').length;
    const { result, unmount } = mountComposable(client, () => usePushPreferences());
    expect(result.preferences.value).toBeNull();

    await client.auth.register({ username: userId('carol'), password: 'correct horse battery' });
    await vi.waitFor(() =>
      expect(result.preferences.value).toEqual({ level: 'all', dnd_until: null, channels: [] }),
    );
    expect(loads()).toBe(1);
    await result.update({ level: 'none' });

    await client.disconnect();
    expect(result.preferences.value).toBeNull();
    await client.auth.register({ username: userId('dave'), password: 'correct horse battery' });
    await vi.waitFor(() => expect(result.preferences.value?.level).toBe('all'));
    expect(loads()).toBe(2);
    unmount();
  });

  it('updates at once, then as the server stored it, in every composable of the client', async () => {
    const channel = await newChannel('prefs');
    const first = mountComposable(alice, () => usePushPreferences());
    const second = mountComposable(alice, () => usePushPreferences());
    await vi.waitFor(() => expect(first.result.preferences.value).not.toBeNull());

    const saving = first.result.update({
      level: 'mentions',
      channels: [{ cid: channel.cid, level: 'none' }],
    });
    expect(first.result.preferences.value?.level).toBe('mentions');
    await saving;
    expect(second.result.preferences.value).toEqual({
      level: 'mentions',
      dnd_until: null,
      channels: [{ cid: channel.cid, level: 'none' }],
    });
    expect(await alice.devices.preferences()).toEqual(second.result.preferences.value);

    const until = new Date(Date.now() + 3_600_000);
    await second.result.update({
      dnd_until: until.toISOString(),
      channels: [{ cid: channel.cid, level: null }],
    });
    expect(Date.parse(first.result.preferences.value!.dnd_until!)).toBe(until.getTime());
    expect(first.result.preferences.value?.channels).toEqual([]);

    // Refused (alice is no member there): the old value comes back, with the error.
    const before = first.result.preferences.value;
    const failure = await first.result
      .update({ level: 'all', channels: [{ cid: `messaging:nowhere-${userId('x')}`, level: 'none' }] })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'not_found' });
    expect(first.result.error.value?.code).toBe('not_found');
    expect(first.result.preferences.value).toEqual(before);

    await first.result.update({ level: 'all', dnd_until: null });
    expect(second.result.error.value).toBeNull();
    first.unmount();
    second.unmount();
  });
});

describe('useChannelMute', () => {
  it('mutes and unmutes, follows a mute from another device, and re-targets with the channel', async () => {
    const one = await newChannel('one');
    const two = await newChannel('two');
    const id = ref(one.id);
    const { result, unmount } = mountComposable(alice, () => {
      const { channel, state } = useChannel('messaging', id);
      return { state, ...useChannelMute(channel) };
    });
    await vi.waitFor(() => expect(result.state.value.channel).not.toBeNull());
    expect(result.muted.value).toBe(false);

    await result.mute();
    expect(result.muted.value).toBe(true);
    await result.toggle();
    expect(result.muted.value).toBe(false);

    const phone = newClient();
    clients.push(phone);
    await phone.auth.login({ username: userId('alice'), password: 'correct horse battery' });
    await phone.channel(one.type, one.id).mute();
    await vi.waitFor(() => expect(result.muted.value).toBe(true));

    id.value = two.id;
    expect(result.muted.value).toBe(false);
    await result.toggle();
    expect(result.muted.value).toBe(true);
    expect(two.state.getSnapshot().membership?.muted).toBe(true);
    await result.unmute();
    expect(result.muted.value).toBe(false);
    unmount();
  });
});
