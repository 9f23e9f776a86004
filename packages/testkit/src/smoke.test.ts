import { ChatClient } from '@chat/core';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createChatTestkit } from './index';

const kit = createChatTestkit({
  seed: {
    channels: [
      {
        type: 'messaging',
        id: 'general',
        members: ['alice', 'bob'],
        messages: [{ user: 'bob', text: 'hello' }],
      },
    ],
  },
});
const server = setupServer(...kit.handlers);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

it('connects, watches, receives', async () => {
  const client = new ChatClient({ apiKey: kit.apiKey, baseUrl: kit.baseUrl });
  await client.connect({ id: 'alice' }, kit.tokenFor('alice'));
  const channel = client.channel('messaging', 'general');
  await channel.watch();
  expect(channel.state.getSnapshot().messages.map((m) => m.text)).toEqual(['hello']);
  kit.as('bob').send('messaging:general', 'second');
  await new Promise((r) => setTimeout(r, 50));
  expect(channel.state.getSnapshot().messages.map((m) => m.text)).toEqual(['hello', 'second']);
  await channel.sendMessage({ text: 'mine' });
  expect(kit.messages('messaging:general').map((m) => m.text)).toEqual(['hello', 'second', 'mine']);
  client.disconnect();
});
