import type { ChatClient } from '@chat/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, FullChannel, newChannel, renderChat, userId } from '../../test/harness';
import { ChannelList } from '../components/channel-list';

let alice: ChatClient;
let carol: ChatClient;

beforeAll(async () => {
  [alice, carol] = await Promise.all([connectUser('alice'), connectUser('carol')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), carol.disconnect()]);
});

const item = (cid: string) =>
  waitFor(() => {
    const found = document.querySelector<HTMLElement>(
      `[data-testid="chat-channel-list-item"][data-cid="${cid}"]`,
    );
    expect(found).not.toBeNull();
    return found!;
  });

describe('<ChannelList>', () => {
  it('shows true unread counts and previews, live; opening a channel reads it and clears its badge', async () => {
    const quiet = await newChannel(carol, 'Quiet', ['carol', 'alice']);
    const busy = await newChannel(carol, 'Busy', ['carol', 'alice']);
    await carol.channel(quiet.type, quiet.id).sendMessage({ text: 'hello quiet' });
    await carol.channel(busy.type, busy.id).sendMessage({ text: 'one' });
    await carol.channel(busy.type, busy.id).sendMessage({ text: 'two' });

    renderChat(alice, {
      defaultActiveChannel: quiet.cid,
      children: (
        <>
          <ChannelList query={{ filter: { type: 'messaging' }, sort: { last_message_at: -1 } }} />
          <FullChannel />
        </>
      ),
    });
    const busyItem = await item(busy.cid);
    await waitFor(() => expect(within(busyItem).getByTestId('chat-unread-badge').dataset.count).toBe('2'));
    expect(within(busyItem).getByText('2 unread messages')).toBeTruthy();
    expect(busyItem.textContent).toContain('Carol: two');
    // The open channel is read as soon as it is seen: no badge.
    const quietItem = await item(quiet.cid);
    await waitFor(() => expect(within(quietItem).queryByTestId('chat-unread-badge')).toBeNull());

    // A new message elsewhere moves that channel up and counts, live.
    await carol.channel(busy.type, busy.id).sendMessage({ text: 'three' });
    await waitFor(() => expect(within(busyItem).getByTestId('chat-unread-badge').dataset.count).toBe('3'));
    expect(busyItem.textContent).toContain('Carol: three');
    const listItems = () => screen.getAllByTestId('chat-channel-list-item').map((li) => li.dataset.cid);
    expect(listItems().indexOf(busy.cid)).toBeLessThan(listItems().indexOf(quiet.cid));

    fireEvent.click(busyItem);
    expect(busyItem.getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(within(busyItem).queryByTestId('chat-unread-badge')).toBeNull());
    // The server agrees: the read was recorded.
    await waitFor(async () => {
      const unread = await alice.http.request('getUnread', {});
      expect(unread.channels.find((c) => c.cid === busy.cid)?.unread_count ?? 0).toBe(0);
    });
  });

  it('loads more channels page by page', async () => {
    const dave = await connectUser('dave');
    try {
      for (const name of ['Page A', 'Page B', 'Page C']) await newChannel(dave, name, ['dave']);
      renderChat(dave, {
        children: <ChannelList query={{ sort: { created_at: -1 }, limit: 2 }} autoSelect={false} />,
      });
      await waitFor(() => expect(screen.getAllByTestId('chat-channel-list-item')).toHaveLength(2));
      fireEvent.click(await screen.findByRole('button', { name: 'Load more channels' }));
      await waitFor(() => expect(screen.getAllByTestId('chat-channel-list-item')).toHaveLength(3));
      await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more channels' })).toBeNull());
    } finally {
      await dave.disconnect();
    }
  });

  it('names a direct message and an unnamed group after the people in it, live, in the list and the header', async () => {
    const erin = await connectUser('erin');
    const frank = await connectUser('frank');
    try {
      renderChat(erin, {
        children: (
          <>
            <ChannelList
              query={{ filter: { type: 'messaging' }, sort: { last_message_at: -1 } }}
              autoSelect={false}
            />
            <FullChannel />
          </>
        ),
      });
      await waitFor(() => expect(screen.getByText('No channels yet')).toBeTruthy());
      // Frank starts a direct message (no id, no name): erin's list gets it from the notification.
      const direct = await frank.channels.create({
        type: 'messaging',
        members: [userId('frank'), userId('erin')],
      });
      const directItem = await item(direct.cid);
      await waitFor(() =>
        expect(directItem.querySelector('.chat-channel-list__name')?.textContent).toBe('Frank'),
      );
      expect(directItem.textContent).not.toContain('!members');
      // An unnamed group of three, from a query this time.
      const group = await carol.channels.create({
        type: 'messaging',
        members: [userId('carol'), userId('erin'), userId('frank')],
      });
      await frank.channel(direct.type, direct.id).sendMessage({ text: 'hi erin' });
      const groupItem = await item(group.cid);
      await waitFor(() =>
        // In join order (the members of one create join at once: either way round).
        expect(groupItem.querySelector('.chat-channel-list__name')?.textContent).toMatch(
          /^(Carol and Frank|Frank and Carol)$/,
        ),
      );
      fireEvent.click(directItem);
      await waitFor(() =>
        expect(screen.getByTestId('chat-channel-header').querySelector('h2')?.textContent).toBe('Frank'),
      );
    } finally {
      await Promise.all([erin.disconnect(), frank.disconnect()]);
    }
  });
});
