import type { ChatClient } from '@chat/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, newChannel, renderChat, until } from '../../test/harness';

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

/** axe's serious and critical violations in `root`, readable in a failure message. */
async function seriousViolations(root: Element) {
  const results = await axe.run(root, {
    // jsdom draws nothing, so contrast cannot be computed here (the browser tests can).
    rules: { 'color-contrast': { enabled: false } },
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
}

describe('accessibility', () => {
  it('axe finds no serious or critical violation in a full chat: list, channel, messages, menus, thread, input', async () => {
    const channel = await newChannel(alice, 'Accessible', ['alice', 'bob']);
    const bobs = bob.channel(channel.type, channel.id);
    await bobs.watch();
    const question = await bobs.sendMessage({ text: 'Anyone up for https://example.com/lunch ?' });
    await channel.sendMessage({ text: 'Me!', quotedMessageId: question.id });
    await channel.sendReaction(question.id, '👍');
    await bobs.sendMessage({ text: 'Thread reply', parentId: question.id });

    const { container } = renderChat(alice, { withList: true, defaultActiveChannel: channel.cid });
    await until(channel.state, (s) => !s.loading && s.messages.length === 2);
    await screen.findByRole('listbox', { name: 'Channels' });
    const log = screen.getByRole('log', { name: 'Messages in Accessible' });
    await waitFor(() => expect(within(log).getAllByTestId('chat-message')).toHaveLength(2));
    expect(await seriousViolations(container)).toEqual([]);

    // With the actions menu and the reaction picker open.
    const questionRow = log.querySelector<HTMLElement>(`[data-message-id="${question.id}"]`)!;
    fireEvent.click(within(questionRow).getByRole('button', { name: 'Message actions' }));
    expect(await seriousViolations(container)).toEqual([]);
    fireEvent.click(within(questionRow).getByRole('menuitem', { name: 'Add reaction' }));
    const picker = within(questionRow).getByRole('menu', { name: 'Pick a reaction' });
    expect(await seriousViolations(container)).toEqual([]);
    fireEvent.keyDown(picker, { key: 'Escape' });

    // With the thread open and the mention list showing.
    fireEvent.click(await within(questionRow).findByRole('button', { name: '1 reply' }));
    const thread = await screen.findByRole('complementary', { name: 'Thread' });
    await within(thread).findByText('Thread reply');
    const input = screen.getAllByRole('textbox', { name: 'Message' })[0]!;
    fireEvent.input(input, { target: { value: '@b', selectionStart: 2, selectionEnd: 2 } });
    await screen.findByRole('listbox', { name: 'People to mention' });
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('works by keyboard: arrows move the channel selection, Escape closes menus and gives focus back', async () => {
    const first = await newChannel(alice, 'Keys one', ['alice', 'bob']);
    await newChannel(alice, 'Keys two', ['alice', 'bob']);
    const message = await first.sendMessage({ text: 'newest activity' });
    renderChat(alice, { withList: true });

    const list = await screen.findByRole('listbox', { name: 'Channels' });
    await waitFor(() => expect(within(list).getAllByRole('option').length).toBeGreaterThanOrEqual(2));
    const options = () => within(list).getAllByRole('option');
    // The first channel is selected and is the list's one tab stop.
    await waitFor(() => expect(options()[0]!.getAttribute('aria-selected')).toBe('true'));
    expect(options().filter((o) => o.tabIndex === 0)).toHaveLength(1);
    expect(options()[0]!.dataset.cid).toBe(first.cid);

    options()[0]!.focus();
    fireEvent.keyDown(options()[0]!, { key: 'ArrowDown' });
    expect(options()[1]!.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(options()[1]);
    expect(screen.getByTestId('chat-channel').dataset.cid).toBe(options()[1]!.dataset.cid);
    fireEvent.keyDown(options()[1]!, { key: 'ArrowUp' });
    expect(screen.getByTestId('chat-channel').dataset.cid).toBe(first.cid);

    const row = await waitFor(
      () => document.querySelector<HTMLElement>(`[data-message-id="${message.id}"]`)!,
    );
    const trigger = within(row).getByRole('button', { name: 'Message actions' });
    fireEvent.click(trigger);
    const items = within(row).getAllByRole('menuitem');
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(items[0]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(items[1]!, { key: 'End' });
    expect(document.activeElement).toBe(items.at(-1));
    fireEvent.keyDown(items.at(-1)!, { key: 'Escape' });
    expect(within(row).queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(trigger);
  });
});
