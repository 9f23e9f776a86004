import { ChatClient } from '@chat/core';
import { createChatTestkit, SAMPLE_SEED } from '@chat/testkit';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mountComposable } from '../test/harness';
import { useChannel } from './use-channel';
import { useChannels } from './use-channels';
import { useConnectionState } from './use-connection-state';
import { useMessages } from './use-messages';
import { useTyping } from './use-typing';
import { useUnreadCount } from './use-unread-count';

/**
 * Fast unit tests of the composables on `@chat/testkit`: the chat server in memory behind msw,
 * no server process (the e2e tests in src/e2e keep running against the reference server).
 */
const kit = createChatTestkit({ seed: SAMPLE_SEED });
const msw = setupServer(...kit.handlers);
let client: ChatClient;
let unmount: (() => void) | undefined;

beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
afterAll(() => msw.close());
beforeEach(async () => {
  kit.reset();
  // Back after a drop at once: the tests wait on what the composables show, never on the clock.
  client = new ChatClient({
    apiKey: kit.apiKey,
    baseUrl: kit.baseUrl,
    connection: { backoff: { baseMs: 10, maxMs: 10 } },
  });
  await client.connect({ id: 'alice' }, kit.tokenFor('alice'));
});
afterEach(() => {
  unmount?.();
  client.disconnect();
  expect(kit.protocolErrors).toEqual([]);
});

function mounted<T>(composable: () => T): T {
  const mount = mountComposable(client, composable);
  unmount = mount.unmount;
  return mount.result;
}

const texts = (messages: readonly { text: string }[]) => messages.map((m) => m.text);

describe('composables over the test kit', () => {
  it('useChannel watches the channel and shows its messages; a message from bob arrives live', async () => {
    const result = mounted(() => useMessages(useChannel('messaging', 'general').channel));
    await vi.waitFor(() => expect(texts(result.messages.value)).toEqual(['welcome, alice', 'thanks!']));
    kit.as('bob').send('messaging:general', 'lunch?');
    await vi.waitFor(() => expect(texts(result.messages.value)).toContain('lunch?'));
  });

  it('useMessages sends, reacts and deletes; the kit stores what the server would', async () => {
    const result = mounted(() => useMessages(useChannel('messaging', 'general').channel));
    await vi.waitFor(() => expect(result.messages.value).toHaveLength(2));
    await result.send({ text: 'from the composable' });
    const sent = kit.messages('messaging:general').at(-1)!;
    expect(sent).toMatchObject({ text: 'from the composable', user_id: 'alice' });
    await result.react(sent.id, '🎉');
    expect(kit.messages('messaging:general').at(-1)?.reaction_counts).toEqual({ '🎉': 1 });
    expect(result.messages.value.at(-1)?.own_reactions).toEqual(['🎉']);
    await result.remove(sent.id);
    expect(kit.messages('messaging:general').at(-1)?.type).toBe('deleted');
  });

  it('useTyping shows bob typing, and stops showing it when he stops', async () => {
    const result = mounted(() => {
      const { channel, state } = useChannel('messaging', 'general');
      return { state, ...useTyping(channel) };
    });
    await vi.waitFor(() => expect(result.state.value.channel).not.toBeNull());
    kit.as('bob').startTyping('messaging:general');
    await vi.waitFor(() => expect(result.typing.value.map((t) => t.user.name)).toEqual(['Bob']));
    kit.as('bob').stopTyping('messaging:general');
    await vi.waitFor(() => expect(result.typing.value).toEqual([]));
  });

  it('useChannels lists the seeded channels with their unread counts; useUnreadCount follows a mark read', async () => {
    const result = mounted(() => ({
      list: useChannels(),
      total: useUnreadCount(),
      general: useUnreadCount('messaging:general'),
    }));
    await vi.waitFor(() =>
      expect(result.list.channels.value.map((c) => c.cid).sort()).toEqual([
        'messaging:general',
        'team:design',
      ]),
    );
    expect(result.general.value).toBe(1);
    expect(result.total.value).toBe(1);
    kit.as('bob').send('team:design', 'new mockups');
    await vi.waitFor(() => expect(result.total.value).toBe(2));
    await client.channel('messaging', 'general').markRead();
    await vi.waitFor(() => expect(result.general.value).toBe(0));
    expect(result.total.value).toBe(1);
  });

  it('the connection drops: useConnectionState shows it, and messages sent meanwhile arrive after the resume', async () => {
    const result = mounted(() => ({
      connection: useConnectionState(),
      ...useMessages(useChannel('messaging', 'general').channel),
    }));
    await vi.waitFor(() => expect(result.messages.value).toHaveLength(2));
    kit.goOffline();
    await vi.waitFor(() => expect(result.connection.value.status).toBe('reconnecting'));
    kit.as('bob').send('messaging:general', 'sent while you were away');
    kit.goOnline();
    await vi.waitFor(() => expect(result.connection.value.status).toBe('connected'));
    await vi.waitFor(() => expect(texts(result.messages.value)).toContain('sent while you were away'));
  });
});
