// @vitest-environment node
import { ChatClient } from '@chat/core';
import { renderToString } from 'react-dom/server';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { connectUser, userId } from '../test/harness';
import { ChatProvider } from './chat-context';
import { useChannel } from './use-channel';
import { useChannelMute } from './use-channel-mute';
import { useChannels } from './use-channels';
import { useChat } from './use-chat';
import { useConnectionState } from './use-connection-state';
import { useMessages } from './use-messages';
import { usePresence } from './use-presence';
import { usePushPreferences } from './use-push-preferences';
import { useThread } from './use-thread';
import { useTyping } from './use-typing';
import { useUnreadCount } from './use-unread-count';

const clients: ChatClient[] = [];
afterAll(() => Promise.all(clients.map((c) => c.disconnect())));

/** A page using every hook, as a server would render it. */
function Page({ channelId }: { channelId: string }) {
  const { user } = useChat();
  const { status } = useConnectionState();
  const { channels, loading } = useChannels({ sort: { last_message_at: -1 } });
  const { channel, state } = useChannel('messaging', channelId);
  const { messages } = useMessages(channel);
  const { replies } = useThread(channel, messages[0]?.id ?? 'none');
  const { typing } = useTyping(channel);
  const online = usePresence(user?.id ?? 'nobody');
  const unread = useUnreadCount();
  const { muted } = useChannelMute(channel);
  const { preferences } = usePushPreferences();
  return (
    <main>
      <p>{`user=${user?.id ?? 'none'} status=${status} online=${online} unread=${unread}`}</p>
      <p>{`channels=${channels.map((c) => c.channel.name).join('|')} loading=${loading}`}</p>
      <h1>{state.channel?.name ?? 'not loaded'}</h1>
      <ul>
        {messages.map((m) => (
          <li key={m.id}>{m.text}</li>
        ))}
      </ul>
      <p>{`replies=${replies.length} typing=${typing.length}`}</p>
      <p>{`muted=${muted} push=${preferences?.level ?? 'unknown'}`}</p>
    </main>
  );
}

describe('server rendering (react-dom/server, no DOM)', () => {
  it('runs with no window or document', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('renders the current snapshot of every hook and runs no effect: no watch, no fetch', async () => {
    const { client, traffic } = await connectUser('erin');
    clients.push(client);
    const id = `ssr-${userId('x')}`;
    const channel = await client.channels.create({
      type: 'messaging',
      id,
      members: [userId('erin')],
      name: 'Rendered',
    });
    await channel.sendMessage({ text: 'hello from the server render' });
    const requests = vi.spyOn(client.http, 'request');
    const framesBefore = traffic.frames.length;

    const html = renderToString(
      <ChatProvider client={client}>
        <Page channelId={id} />
      </ChatProvider>,
    );

    expect(html).toContain(`user=${userId('erin')} status=connected online=true unread=0`);
    expect(html).toContain('channels=Rendered loading=false');
    expect(html).toContain('<h1>Rendered</h1>');
    expect(html).toContain('<li>hello from the server render</li>');
    expect(html).toContain('replies=0 typing=0');
    // The own membership came with the channel; preferences would need a request, which waits for the browser.
    expect(html).toContain('muted=false push=unknown');
    // Effects do not run on the server: nothing was watched, fetched or sent.
    expect(requests).not.toHaveBeenCalled();
    expect(traffic.frames.length).toBe(framesBefore);
    expect(channel.isWatching).toBe(false);
  });

  it('renders a client that never connected: idle, no user, and no socket is opened', () => {
    const client = new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });
    const html = renderToString(
      <ChatProvider client={client}>
        <Page channelId="general" />
      </ChatProvider>,
    );
    expect(html).toContain('user=none status=idle online=false unread=0');
    expect(html).toContain('<h1>not loaded</h1>');
    expect(client.connection.getSnapshot().status).toBe('idle');
  });
});
