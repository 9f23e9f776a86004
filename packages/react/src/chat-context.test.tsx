import { ChatClient } from '@chat/core';
import { render, renderHook, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ChatProvider } from './chat-context';
import { useChannel } from './use-channel';
import { useChannels } from './use-channels';
import { useChat } from './use-chat';
import { useConnectionState } from './use-connection-state';
import { usePresence } from './use-presence';
import { useTyping } from './use-typing';
import { useUnreadCount } from './use-unread-count';

const client = new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });

function Status() {
  const { client: provided, user } = useChat();
  const { status } = useConnectionState();
  return <p>{`${provided === client} ${user === undefined} ${status}`}</p>;
}

describe('<ChatProvider>', () => {
  it('gives its client to the hooks below it, without connecting', () => {
    render(
      <ChatProvider client={client}>
        <Status />
      </ChatProvider>,
    );
    expect(screen.getByText('true true idle')).toBeTruthy();
  });

  it('makes every client hook throw a clear error outside it', () => {
    // React logs the thrown render error; keep the output readable.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const channel = client.channel('messaging', 'c');
    const hooks: [string, () => unknown][] = [
      ['useChat', () => useChat()],
      ['useConnectionState', () => useConnectionState()],
      ['useChannels', () => useChannels()],
      ['useChannel', () => useChannel('messaging', 'c')],
      ['useTyping', () => useTyping(channel)],
      ['usePresence', () => usePresence('bob')],
      ['useUnreadCount', () => useUnreadCount()],
    ];
    for (const [name, hook] of hooks) {
      expect(() => renderHook(hook)).toThrow(
        `@chat/react: ${name}() must be used inside <ChatProvider client={client}>`,
      );
    }
    quiet.mockRestore();
  });
});
