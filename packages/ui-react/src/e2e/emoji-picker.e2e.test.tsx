import type { ChatClient } from '@chat/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, newChannel, renderChat, until } from '../../test/harness';

let alice: ChatClient;
let bob: ChatClient;
const realResizeObserver = globalThis.ResizeObserver;

beforeAll(async () => {
  // frimousse measures its rows with a ResizeObserver, which jsdom lacks; jsdom lays nothing out
  // anyway (so the picker shows its first row, which is enough to pick from a search).
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  globalThis.ResizeObserver = realResizeObserver;
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

async function openChannel(name: string) {
  const channel = await newChannel(alice, name, ['alice', 'bob']);
  const bobs = bob.channel(channel.type, channel.id);
  await bobs.watch();
  return { channel, bobs };
}

const rowOf = (id: string) =>
  waitFor(() => {
    const row = document.querySelector<HTMLElement>(`.chat-message-list [data-message-id="${id}"]`);
    expect(row).not.toBeNull();
    return row!;
  });

/** The picker's search field, once its code and data have loaded (it takes the focus). */
async function searchOf(dialog: HTMLElement) {
  const search = await within(dialog).findByRole('searchbox', { name: 'Search emoji' }, { timeout: 10_000 });
  await waitFor(() => expect(document.activeElement).toBe(search));
  return search;
}

/** Searches and waits for `emoji` to be offered. */
async function find(dialog: HTMLElement, query: string, label: string) {
  const search = await searchOf(dialog);
  fireEvent.input(search, { target: { value: query } });
  return within(dialog).findByRole('gridcell', { name: label }, { timeout: 5_000 });
}

describe('emoji picker', () => {
  it('inserts the picked emoji at the caret of the message input, loaded on first use', async () => {
    const { channel } = await openChannel('Emoji input');
    renderChat(alice, { cid: channel.cid });
    const input = await screen.findByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
    fireEvent.input(input, { target: { value: 'Hello world' } });
    input.setSelectionRange(5, 5);

    const button = screen.getByRole('button', { name: 'Insert emoji' });
    expect(button.getAttribute('aria-haspopup')).toBe('dialog');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const dialog = screen.getByRole('dialog', { name: 'Emoji' });
    expect(button.getAttribute('aria-controls')).toBe(dialog.id);

    fireEvent.click(await find(dialog, 'popper', 'Party popper'));
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(input.value).toBe('Hello🎉 world'));
    expect(document.activeElement).toBe(input);
    await waitFor(() => expect(input.selectionStart).toBe('Hello🎉'.length));

    fireEvent.keyDown(input, { key: 'Enter' });
    await until(channel.state, (s) =>
      s.messages.some((m) => m.text === 'Hello🎉 world' && m.status === 'sent'),
    );
  });

  it('works from the keyboard: focus goes in, arrows and Enter pick, Escape closes and returns focus', async () => {
    const { channel } = await openChannel('Emoji keys');
    renderChat(alice, { cid: channel.cid });
    const input = await screen.findByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
    const button = screen.getByRole('button', { name: 'Insert emoji' });

    fireEvent.click(button);
    let dialog = screen.getByRole('dialog', { name: 'Emoji' });
    const search = await searchOf(dialog);
    fireEvent.keyDown(search, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    // The second opening is instant: the code is loaded.
    fireEvent.click(button);
    dialog = screen.getByRole('dialog', { name: 'Emoji' });
    await find(dialog, 'saucer', 'Flying saucer');
    const field = within(dialog).getByRole('searchbox');
    fireEvent.keyDown(field, { key: 'ArrowDown' });
    await waitFor(() =>
      expect(
        within(dialog).getByRole('gridcell', { name: 'Flying saucer' }).getAttribute('aria-selected'),
      ).toBe('true'),
    );
    fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() => expect(input.value).toBe('🛸'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('adds any emoji as a reaction, from "More reactions" beside the quick ones and in the picker menu', async () => {
    const { channel, bobs } = await openChannel('Emoji reactions');
    const message = await bobs.sendMessage({ text: 'React with anything' });
    renderChat(alice, { cid: channel.cid });
    const row = await rowOf(message.id);

    // The quick actions are built when a pointer first comes over the message.
    expect(within(row).queryByRole('group', { name: 'Quick reactions' })).toBeNull();
    fireEvent.pointerEnter(within(row).getByTestId('chat-message'));
    const quick = within(row).getByRole('group', { name: 'Quick reactions' });
    const more = within(quick).getByRole('button', { name: 'More reactions' });
    fireEvent.click(more);
    const dialog = within(row).getByRole('dialog', { name: 'React with any emoji' });
    fireEvent.click(await find(dialog, 'saucer', 'Flying saucer'));
    await within(row).findByRole('button', { name: '🛸: 1 reaction' });
    expect(document.activeElement).toBe(more);
    await until(bobs.state, (s) => s.messages.find((m) => m.id === message.id)?.reaction_counts['🛸'] === 1);

    // From the reaction menu: its last item swaps it for the picker; Escape returns to the menu button.
    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(within(row).getByRole('menuitem', { name: 'Add reaction' }));
    const menu = within(row).getByRole('menu', { name: 'Pick a reaction' });
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'More reactions' }));
    const picker = within(row).getByRole('dialog', { name: 'React with any emoji' });
    const search = await searchOf(picker);
    fireEvent.keyDown(search, { key: 'Escape' });
    expect(within(row).queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(within(row).getByRole('button', { name: 'Message actions' }));
  });

  it('axe finds no serious violation with the picker open, in the dark theme', async () => {
    const { channel } = await openChannel('Emoji axe');
    const { container } = renderChat(alice, { cid: channel.cid, theme: 'dark' });
    fireEvent.click(await screen.findByRole('button', { name: 'Insert emoji' }));
    const dialog = screen.getByRole('dialog', { name: 'Emoji' });
    await find(dialog, 'saucer', 'Flying saucer');
    const results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
    expect(serious).toEqual([]);
  });
});
