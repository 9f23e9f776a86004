import { ChatClient } from '@chat/core';
import { createChatTestkit, SAMPLE_SEED } from '@chat/testkit';
import { act, renderHook, waitFor } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inProvider } from '../test/harness';
import { useChannel } from './use-channel';
import { useChannels } from './use-channels';
import { useConnectionState } from './use-connection-state';
import { useMessages } from './use-messages';
import { useTyping } from './use-typing';
import { useUnreadCount } from './use-unread-count';

/**
 * Fast unit tests of the hooks on `@chat/testkit`: the chat server in memory behind msw, no
 * server process (the e2e tests in src/e2e keep running against the reference server).
 */
const kit = createChatTestkit({ seed: SAMPLE_SEED });
const msw = setupServer(...kit.handlers);
let client: ChatClient;

beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
afterAll(() => msw.close());
beforeEach(async () => {
  kit.reset();
  // Back after a drop at once: the tests wait on what the hooks show, never on the clock.
  client = new ChatClient({
    apiKey: kit.apiKey,
    baseUrl: kit.baseUrl,
    connection: { backoff: { baseMs: 10, maxMs: 10 } },
  });
  await client.connect({ id: 'alice' }, kit.tokenFor('alice'));
});
afterEach(() => {
  client.disconnect();
  expect(kit.protocolErrors).toEqual([]);
});

const texts = (messages: readonly { text: string }[]) => messages.map((m) => m.text);

describe('hooks over the test kit', () => {
  it('useChannel watches the channel and shows its messages; a message from bob arrives live', async () => {
    const { result } = renderHook(() => {
      const { channel } = useChannel('messaging', 'general');
      return useMessages(channel);
    }, inProvider(client));
    await waitFor(() => expect(texts(result.current.messages)).toEqual(['welcome, alice', 'thanks!']));
    act(() => {
      kit.as('bob').send('messaging:general', 'lunch?');
    });
    await waitFor(() => expect(texts(result.current.messages)).toContain('lunch?'));
  });

  it('useMessages sends, reacts and deletes; the kit stores what the server would', async () => {
    const { result } = renderHook(
      () => useMessages(useChannel('messaging', 'general').channel),
      inProvider(client),
    );
    await waitFor(() => expect(result.current.messages).toHaveLength(2));
    await act(() => result.current.send({ text: 'from the hook' }));
    const sent = kit.messages('messaging:general').at(-1)!;
    expect(sent).toMatchObject({ text: 'from the hook', user_id: 'alice' });
    await act(() => result.current.react(sent.id, '🎉'));
    expect(kit.messages('messaging:general').at(-1)?.reaction_counts).toEqual({ '🎉': 1 });
    expect(result.current.messages.at(-1)?.own_reactions).toEqual(['🎉']);
    await act(() => result.current.remove(sent.id));
    expect(kit.messages('messaging:general').at(-1)?.type).toBe('deleted');
  });

  it('useTyping shows bob typing, and stops showing it when he stops', async () => {
    const { result } = renderHook(
      () => useTyping(useChannel('messaging', 'general').channel),
      inProvider(client),
    );
    await waitFor(() =>
      expect(client.channel('messaging', 'general').state.getSnapshot().channel).not.toBeNull(),
    );
    act(() => kit.as('bob').startTyping('messaging:general'));
    await waitFor(() => expect(result.current.typing.map((t) => t.user.name)).toEqual(['Bob']));
    act(() => kit.as('bob').stopTyping('messaging:general'));
    await waitFor(() => expect(result.current.typing).toEqual([]));
  });

  it('useChannels lists the seeded channels with their unread counts; useUnreadCount follows a mark read', async () => {
    const { result } = renderHook(
      () => ({ list: useChannels(), total: useUnreadCount(), general: useUnreadCount('messaging:general') }),
      inProvider(client),
    );
    await waitFor(() =>
      expect(result.current.list.channels.map((c) => c.cid).sort()).toEqual([
        'messaging:general',
        'team:design',
      ]),
    );
    expect(result.current.general).toBe(1);
    expect(result.current.total).toBe(1);
    act(() => {
      kit.as('bob').send('team:design', 'new mockups');
    });
    await waitFor(() => expect(result.current.total).toBe(2));
    await act(() => client.channel('messaging', 'general').markRead());
    await waitFor(() => expect(result.current.general).toBe(0));
    expect(result.current.total).toBe(1);
  });

  it('the connection drops: useConnectionState shows it, and messages sent meanwhile arrive after the resume', async () => {
    const { result } = renderHook(
      () => ({
        connection: useConnectionState(),
        ...useMessages(useChannel('messaging', 'general').channel),
      }),
      inProvider(client),
    );
    await waitFor(() => expect(result.current.messages).toHaveLength(2));
    act(() => kit.goOffline());
    await waitFor(() => expect(result.current.connection.status).toBe('reconnecting'));
    act(() => {
      kit.as('bob').send('messaging:general', 'sent while you were away');
    });
    act(() => kit.goOnline());
    await waitFor(() => expect(result.current.connection.status).toBe('connected'));
    await waitFor(() => expect(texts(result.current.messages)).toContain('sent while you were away'));
  });
});
