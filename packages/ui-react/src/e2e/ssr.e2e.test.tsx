// @vitest-environment node
import { ChatClient } from '@chat/core';
import { renderToString } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';
import { connectUser, FullChannel, newChannel } from '../../test/harness';
import { ChannelList } from '../components/channel-list';
import { Chat } from '../components/chat';

const clients: ChatClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
});

describe('server rendering', () => {
  it('imports and renders in Node, with no window or document', async () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    // A fresh import, so this file (not another) proves the import is safe.
    const kit = await import('../index');
    const client = new ChatClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    const html = renderToString(
      <kit.Chat client={client} theme="dark">
        <kit.ChannelList />
        <FullChannel cid="messaging:general" />
        <kit.NotificationSettings cid="messaging:general" />
      </kit.Chat>,
    );
    expect(html).toContain('class="chat-root"');
    expect(html).toContain('data-theme="dark"');
    expect(html).toContain('role="log"');
    expect(html).toContain('aria-label="Messages in general"');
    expect(html).toContain('placeholder="Write a message…"');
    // The settings' code and data wait for the browser.
    expect(html).toContain('<p class="chat-lazy" role="status">Loading…</p>');
    // Rendering opened no socket and watched nothing.
    expect(client.connection.getSnapshot().status).toBe('idle');
  });

  it("renders what the client already holds: a watched channel's name, members and input", async () => {
    const alice = await connectUser('alice');
    const bob = await connectUser('bob');
    clients.push(alice, bob);
    const channel = await newChannel(alice, 'Server side', ['alice', 'bob']);
    await channel.sendMessage({ text: 'rendered on the server' });
    await channel.watch();
    const html = renderToString(
      <Chat client={alice} defaultActiveChannel={channel.cid}>
        <ChannelList />
        <FullChannel />
      </Chat>,
    );
    expect(html).toContain('Server side');
    expect(html).toContain('2 members');
    expect(html).toContain('aria-label="Messages in Server side"');
  });
});
