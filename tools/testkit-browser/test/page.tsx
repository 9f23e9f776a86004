import { ChatClient } from '@chat/core';
import { createChatTestkit } from '@chat/testkit';
import {
  Channel,
  ChannelHeader,
  ChannelList,
  Chat,
  MessageInput,
  MessageList,
  TypingIndicator,
} from '@chat/ui-react';
import { setupWorker } from 'msw/browser';
import { createRoot } from 'react-dom/client';

/**
 * A page that renders the UI kit's `<Chat>` against `@chat/testkit` in the browser: REST through
 * msw's service worker, the socket through msw's patched `WebSocket`. The test drives it through
 * `window.kit` (bob's side) and the page itself (alice's).
 */
const kit = createChatTestkit({
  baseUrl: location.origin,
  seed: {
    users: [
      { id: 'alice', name: 'Alice' },
      { id: 'bob', name: 'Bob' },
    ],
    channels: [
      {
        type: 'messaging',
        id: 'general',
        name: 'General',
        members: ['alice', 'bob'],
        messages: [{ user: 'bob', text: 'Welcome to the test kit, Alice' }],
      },
    ],
  },
});
(window as unknown as { kit: typeof kit }).kit = kit;

const worker = setupWorker(...kit.handlers);
await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, quiet: true });

const client = new ChatClient({ apiKey: kit.apiKey, baseUrl: kit.baseUrl });
await client.connect({ id: 'alice' }, kit.tokenFor('alice'));

createRoot(document.getElementById('root')!).render(
  <Chat client={client} theme="light">
    <ChannelList />
    <Channel>
      <ChannelHeader />
      <MessageList />
      <TypingIndicator />
      <MessageInput />
    </Channel>
  </Chat>,
);
document.body.dataset.ready = 'true';
