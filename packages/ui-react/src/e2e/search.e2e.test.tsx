import type { ChatClient } from '@chat/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, FullChannel, newChannel, renderChat } from '../../test/harness';
import { SearchPanel } from '../components/search-panel';

let gina: ChatClient;

beforeAll(async () => {
  gina = await connectUser('gina');
});

afterAll(async () => {
  await gina.disconnect();
});

describe('<SearchPanel>', () => {
  it('finds messages across channels as one types, marks the words, and opens a result’s channel', async () => {
    const trips = await newChannel(gina, 'Trips', ['gina']);
    const food = await newChannel(gina, 'Food', ['gina']);
    await gina.channel(trips.type, trips.id).sendMessage({ text: 'The zeppelin leaves at noon' });
    await gina.channel(food.type, food.id).sendMessage({ text: 'zeppelin-shaped <b>cake</b>?' });
    await gina.channel(food.type, food.id).sendMessage({ text: 'nothing to see here' });

    renderChat(gina, {
      defaultActiveChannel: food.cid,
      children: (
        <>
          <SearchPanel />
          <FullChannel />
        </>
      ),
    });
    const input = await screen.findByRole('searchbox', { name: 'Search messages' }, { timeout: 5_000 });
    fireEvent.input(input, { target: { value: 'zeppelin' } });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('2 messages found'), {
      timeout: 10_000,
    });
    const results = screen.getAllByTestId('chat-search-result');
    expect(results.map((r) => r.dataset.cid).sort()).toEqual([food.cid, trips.cid].sort());
    for (const result of results)
      expect(result.querySelector('mark')?.textContent?.toLowerCase()).toBe('zeppelin');
    // Markup in a message is text, never HTML.
    const cake = results.find((r) => r.dataset.cid === food.cid)!;
    expect(cake.querySelector('b')).toBeNull();
    expect(cake.textContent).toContain('<b>cake</b>');

    fireEvent.click(results.find((r) => r.dataset.cid === trips.cid)!);
    await waitFor(() =>
      expect(within(screen.getByTestId('chat-channel-header')).getByRole('heading').textContent).toBe(
        'Trips',
      ),
    );

    fireEvent.input(input, { target: { value: 'qwertyuiop' } });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('No messages match.'), {
      timeout: 10_000,
    });
    expect(screen.queryAllByTestId('chat-search-result')).toHaveLength(0);
  });
});
