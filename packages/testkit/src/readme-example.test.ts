import { ChatClient } from '@chat/core';
import { createChatTestkit } from '@chat/testkit';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

const kit = createChatTestkit({ seed: { channels: [{ type: 'team', id: 'hq', members: ['ann', 'bob'] }] } });
const server = setupServer(...kit.handlers);
beforeAll(() => server.listen());
afterAll(() => server.close());
it('shows what bob sends', async () => {
  const client = new ChatClient({ apiKey: kit.apiKey, baseUrl: kit.baseUrl });
  const hq = client.channel('team', 'hq');
  await client.connect({ id: 'ann' }, kit.tokenFor('ann')).then(() => hq.watch());
  kit.as('bob').send('team:hq', 'hi ann');
  await vi.waitFor(() => expect(hq.state.getSnapshot().messages[0]?.text).toBe('hi ann'));
});
