import type { Channel, ChatClient } from '@chat/core';
import { screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, newChannel, renderChat, until, userId } from '../../test/harness';

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

/** Bob's handle on `channel`, watched, so his writes are confirmed before the test goes on. */
async function asBob(channel: Channel) {
  const handle = bob.channel(channel.type, channel.id);
  await handle.watch();
  return handle;
}

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-message-id]')];

describe('<MessageList>', () => {
  it("renders the channel's messages in a labelled log, one row per message id, grouped by author", async () => {
    const channel = await newChannel(alice, 'Rendering', ['alice', 'bob']);
    const bobs = await asBob(channel);
    const first = await bobs.sendMessage({ text: 'Hello from Bob' });
    const second = await bobs.sendMessage({ text: 'Second line from Bob' });
    const third = await channel.sendMessage({ text: 'Hi Bob' });

    renderChat(alice, { cid: channel.cid });

    const log = await screen.findByRole('log', { name: 'Messages in Rendering' });
    await waitFor(() =>
      expect(rows().map((r) => r.dataset.messageId)).toEqual([first.id, second.id, third.id]),
    );
    expect(within(log).getByText('Hello from Bob')).toBeTruthy();
    // One date separator ("Today") above the first message only.
    expect(within(log).getAllByTestId('chat-date-separator')).toHaveLength(1);
    expect(within(log).getByText('Today')).toBeTruthy();
    // Bob's second message is grouped under his first: his name shows once as a heading.
    const [firstRow, secondRow, thirdRow] = rows();
    expect(firstRow!.querySelector('.chat-message--grouped')).toBeNull();
    expect(secondRow!.querySelector('.chat-message--grouped')).not.toBeNull();
    expect(thirdRow!.querySelector('[data-own="true"]')).not.toBeNull();
    // Alice's own message says it was delivered.
    expect(within(thirdRow!).getByTestId('chat-message-status').dataset.status).toBe('sent');
  });

  it('shows new messages from others live, and "seen by" once the other member has read', async () => {
    const channel = await newChannel(alice, 'Live', ['alice', 'bob']);
    const bobs = await asBob(channel);
    renderChat(alice, { cid: channel.cid });
    await screen.findByRole('log', { name: 'Messages in Live' });
    await until(channel.state, (s) => !s.loading && s.channel !== null);

    const mine = await channel.sendMessage({ text: 'Did you read this?' });
    await bobs.sendMessage({ text: 'Arrives live' });
    await screen.findByText('Arrives live');

    await until(bobs.state, (s) => s.messages.some((m) => m.id === mine.id));
    await bobs.markRead(mine.id);
    const row = await waitFor(() => {
      const found = rows().find((r) => r.dataset.messageId === mine.id);
      expect(found?.querySelector('[data-testid="chat-seen-by"]')).not.toBeNull();
      return found!;
    });
    expect(within(row).getByText(`Seen by Bob`)).toBeTruthy();
    expect(userId('bob')).toContain('bob');
  });
});
