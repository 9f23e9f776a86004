import type { ChatClient } from '@chat/core';
import { fireEvent, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUser, newChannel, renderChat, until } from '../../test/harness';

/**
 * Link previews through the real server: it fetches the linked page (a local site the run's
 * server may reach), and the message's row shows the card when the update arrives; the author
 * can remove it, for everyone.
 */

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

const rowOf = (id: string) =>
  waitFor(
    () => {
      const row = document.querySelector<HTMLElement>(`.chat-message-list [data-message-id="${id}"]`);
      expect(row).not.toBeNull();
      return row!;
    },
    { timeout: 5_000 },
  );

describe('link previews', () => {
  it('shows the card of a linked page once the server has read it, as text; the author removes it for everyone', async () => {
    const site = inject('linkedSite');
    const channel = await newChannel(alice, 'Links', ['alice', 'bob']);
    await channel.watch();
    const bobs = bob.channel(channel.type, channel.id);
    await bobs.watch();
    const link = `${site}/releases/4.2`;
    const sent = await channel.sendMessage({ text: `notes: ${link}` });

    const { container, unmount } = renderChat(alice, { cid: channel.cid });
    const row = await rowOf(sent.id);
    const cards = await waitFor(() => within(row).getByTestId('chat-link-previews'), { timeout: 10_000 });
    const card = within(cards).getByRole('link');
    expect(card.getAttribute('href')).toBe(link);
    expect(card.getAttribute('target')).toBe('_blank');
    expect(card.getAttribute('rel')).toContain('noopener');
    // The page's texts as text: its markup stays text.
    expect(within(card).getByText('Release notes <b>4.2</b>').tagName).toBe('STRONG');
    expect(card.querySelector('b')).toBeNull();
    expect(within(card).getByText('Example Docs')).toBeTruthy();
    expect(within(card).getByText('What changed in this release, in three lines.')).toBeTruthy();
    const image = card.querySelector('img')!;
    expect(image.getAttribute('src')).toBe(`${site}/card.png`);
    expect(image.getAttribute('referrerpolicy')).toBe('no-referrer');
    const results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    // Bob's client has it too (the update event), without a Remove button in his view.
    await until(
      bobs.state,
      (s) => s.messages.some((m) => m.id === sent.id && m.link_previews?.length === 1),
      10_000,
    );

    fireEvent.click(within(cards).getByRole('button', { name: 'Remove the preview of Example Docs' }));
    await waitFor(() => expect(within(row).queryByTestId('chat-link-previews')).toBeNull(), {
      timeout: 5_000,
    });
    await until(
      bobs.state,
      (s) => s.messages.some((m) => m.id === sent.id && m.link_previews?.length === 0),
      5_000,
    );
    unmount();
  }, 30_000);

  it('shows no Remove button on someone else’s message', async () => {
    const site = inject('linkedSite');
    const channel = await newChannel(alice, 'Links of others', ['alice', 'bob']);
    await channel.watch();
    const sent = await channel.sendMessage({ text: `${site}/other` });
    await until(
      channel.state,
      (s) => s.messages.some((m) => m.id === sent.id && m.link_previews?.length === 1),
      10_000,
    );
    const bobs = bob.channel(channel.type, channel.id);
    renderChat(bob, { cid: bobs.cid });
    const row = await rowOf(sent.id);
    const cards = await waitFor(() => within(row).getByTestId('chat-link-previews'), { timeout: 5_000 });
    expect(within(cards).queryByRole('button')).toBeNull();
  }, 30_000);
});
