import type { Channel, ChatClient } from '@chat/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { connectUser, mountComposable } from '../../test/harness';
import { useChannel } from '../use-channel';
import { useMessages } from '../use-messages';
import { useThread } from '../use-thread';
import { useTyping } from '../use-typing';

let alice: ChatClient;
let bob: ChatClient;
let first: Channel;
let second: Channel;

const texts = (messages: readonly { text: string }[]) => messages.map((m) => m.text);
/** Core unwatches after a 300 ms grace; wait comfortably longer. */
const afterGrace = { timeout: 3_000, interval: 50 };

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
  const members = [alice.userId!, bob.userId!];
  for (const id of ['first', 'second']) await alice.channels.create({ type: 'messaging', id, members });
  first = alice.channel('messaging', 'first');
  second = alice.channel('messaging', 'second');
});

afterAll(async () => {
  await Promise.all([alice?.disconnect(), bob?.disconnect()]);
});

describe('useChannel and useMessages', () => {
  it('watches the channel while mounted, and shows a message sent by a second client', async () => {
    const { result, unmount } = mountComposable(alice, () => {
      const { channel, state } = useChannel('messaging', 'first');
      return { channel, state, ...useMessages(channel) };
    });
    expect(result.channel.value).toBe(first);
    await vi.waitFor(() => expect(first.isWatching && result.state.value.channel).toBeTruthy());

    await bob.channel('messaging', 'first').sendMessage({ text: 'hello from bob' });
    await vi.waitFor(() => expect(texts(result.messages.value)).toEqual(['hello from bob']));

    const sent = result.send({ text: 'hi bob' });
    expect(result.messages.value.at(-1)).toMatchObject({ text: 'hi bob', status: 'sending' });
    const stored = await sent;
    expect(result.messages.value.at(-1)).toMatchObject({ id: stored.id, status: 'sent' });

    await result.edit(stored.id, 'hi bob!');
    await result.react(stored.id, '👍');
    expect(result.messages.value.at(-1)).toMatchObject({ text: 'hi bob!', own_reactions: ['👍'] });
    await result.unreact(stored.id, '👍');
    await result.remove(stored.id);
    expect(result.messages.value.at(-1)?.deleted_at).not.toBeNull();

    unmount();
    await vi.waitFor(() => expect(first.isWatching).toBe(false), afterGrace);
  });

  it('on a reactive id switch, releases the old channel (its events stop) and watches the new one', async () => {
    const id = ref('first');
    const { result, unmount } = mountComposable(alice, () => {
      const { channel } = useChannel('messaging', id);
      return { channel, ...useMessages(channel) };
    });
    await vi.waitFor(() => expect(first.isWatching).toBe(true));
    const oldCount = first.state.getSnapshot().messages.length;

    id.value = 'second';
    expect(result.channel.value).toBe(second);
    await vi.waitFor(() => expect(first.isWatching).toBe(false), afterGrace);
    expect(second.isWatching).toBe(true);

    // Sent in order by one client: once the second arrives, the first would have too, if watched.
    await bob.channel('messaging', 'first').sendMessage({ text: 'to the old channel' });
    await bob.channel('messaging', 'second').sendMessage({ text: 'to the new channel' });
    await vi.waitFor(() => expect(texts(result.messages.value)).toContain('to the new channel'));
    expect(first.state.getSnapshot().messages).toHaveLength(oldCount);
    unmount();
    await vi.waitFor(() => expect(second.isWatching).toBe(false), afterGrace);
  });

  it('stops updating an unmounted view, while another view keeps the channel watched', async () => {
    const stays = mountComposable(alice, () => useMessages(useChannel('messaging', 'second').channel));
    const leaves = mountComposable(alice, () => useMessages(useChannel('messaging', 'second').channel));
    await vi.waitFor(() => expect(second.isWatching).toBe(true));
    leaves.unmount();
    const frozen = leaves.result.messages.value;

    await bob.channel('messaging', 'second').sendMessage({ text: 'after unmount' });
    await vi.waitFor(() => expect(texts(stays.result.messages.value)).toContain('after unmount'));
    expect(second.isWatching).toBe(true);
    expect(leaves.result.messages.value).toBe(frozen);
    stays.unmount();
  });

  it('loads older messages in pages, then says there are none left', async () => {
    const carol = await connectUser('carol');
    const long = await carol.channels.create({
      type: 'messaging',
      id: 'long',
      members: [carol.userId!, alice.userId!],
    });
    // One more than the 30 a watch loads.
    for (let i = 0; i < 31; i++) await long.sendMessage({ text: `message ${i}` });
    const { result, unmount } = mountComposable(alice, () =>
      useMessages(useChannel('messaging', 'long').channel),
    );
    await vi.waitFor(() => expect(result.messages.value).toHaveLength(30));
    expect(result.hasMore.value).toBe(true);
    expect(result.messages.value[0]?.text).toBe('message 1');

    await expect(result.loadOlder(10)).resolves.toBe(false);
    expect(result.messages.value).toHaveLength(31);
    expect(result.messages.value[0]?.text).toBe('message 0');
    expect(result.hasMore.value).toBe(false);
    unmount();
    await carol.disconnect();
  });
});

describe('useThread', () => {
  it('loads the replies of a parent, shows new ones live, and replies in the thread', async () => {
    const bobs = bob.channel('messaging', 'first');
    const parent = await bobs.sendMessage({ text: 'thread parent' });
    await bobs.sendMessage({ text: 'first reply', parentId: parent.id });
    const { result, unmount } = mountComposable(alice, () => {
      const { channel } = useChannel('messaging', 'first');
      return useThread(channel, parent.id);
    });
    await vi.waitFor(() => expect(texts(result.replies.value)).toEqual(['first reply']));
    await vi.waitFor(() => expect(result.parent.value?.text).toBe('thread parent'));

    await result.send({ text: 'alice replies' });
    await bobs.sendMessage({ text: 'bob again', parentId: parent.id });
    await vi.waitFor(() =>
      expect(texts(result.replies.value)).toEqual(['first reply', 'alice replies', 'bob again']),
    );
    expect(result.replies.value.every((m) => m.parent_id === parent.id)).toBe(true);
    unmount();
  });
});

describe('useTyping', () => {
  it("shows the others' typing in its scope, never the user's own", async () => {
    const { result, unmount } = mountComposable(alice, () => {
      const { channel } = useChannel('messaging', 'second');
      return { channel, ...useTyping(channel), thread: useTyping(channel, 'some-parent') };
    });
    const bobs = bob.channel('messaging', 'second');
    await bobs.watch();
    await vi.waitFor(() => expect(second.isWatching).toBe(true));

    result.onKeystroke(); // alice's own typing never shows to alice
    bobs.startTyping();
    await vi.waitFor(() => expect(result.typing.value.map((t) => t.user.id)).toEqual([bob.userId]));
    expect(result.thread.typing.value).toEqual([]);
    bobs.stopTyping();
    await vi.waitFor(() => expect(result.typing.value).toEqual([]));
    result.stop();
    unmount();
  });
});
