import type { ChatClient } from '@chat/core';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, newChannel, postMessage, renderChat, until, userId } from '../../test/harness';
import { ReviewQueue } from '../components/moderation/lazy-moderation';

let alice: ChatClient;
let bob: ChatClient;
let carol: ChatClient;
let dave: ChatClient;

beforeAll(async () => {
  [alice, bob, carol, dave] = await Promise.all([
    connectUser('alice'),
    connectUser('bob'),
    connectUser('carol'),
    connectUser('dave'),
  ]);
});

afterAll(async () => {
  await Promise.all([alice, bob, carol, dave].map((c) => c.disconnect()));
});

const rowOf = (id: string) =>
  waitFor(() => {
    const row = document.querySelector<HTMLElement>(`.chat-message-list [data-message-id="${id}"]`);
    expect(row).not.toBeNull();
    return row!;
  });

/** The message menu of a row, open; its safety and moderator items load on demand. */
async function openMenu(id: string) {
  const row = await rowOf(id);
  fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
  const menu = within(row).getByRole('menu');
  await within(menu)
    .findByRole('menuitem', { name: 'Report…' })
    .catch(() => null);
  return menu;
}

const labels = (menu: HTMLElement) =>
  within(menu)
    .getAllByRole('menuitem')
    .map((item) => item.textContent);

/** A channel of alice (its admin, so its moderator) with bob and carol, watched by `viewer`. */
async function scene(name: string, viewer: ChatClient) {
  const channel = await newChannel(alice, name, ['alice', 'bob', 'carol']);
  await viewer.channel(channel.type, channel.id).watch();
  return channel;
}

describe('safety and moderation in the kit', () => {
  it('a system message is a centered line without actions; a moderator’s delete reads “Removed by a moderator”', async () => {
    const channel = await scene('System', alice);
    const rude = await postMessage(carol, channel, { text: 'rude words' });
    await alice.channel(channel.type, channel.id).addMembers([userId('dave')]);
    renderChat(alice, { cid: channel.cid });
    const line = await screen.findByTestId('chat-system-message');
    expect(line.textContent).toMatch(/Dave/);
    expect(line.closest('[data-testid="chat-message"]')).toBeNull();
    expect(within(line.parentElement!).queryByRole('button', { name: 'Message actions' })).toBeNull();

    const menu = await openMenu(rude.id);
    await within(menu).findByRole('menuitem', { name: 'Delete' });
    // alice moderates this channel but is no app admin: no app-wide time-out.
    expect(labels(menu)).toEqual(
      expect.arrayContaining(['Pin', 'Report…', 'Block Carol', 'Delete', 'Ban from channel…']),
    );
    expect(labels(menu)).not.toContain('Time out…');
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Delete' }));
    const confirm = await screen.findByTestId('chat-moderator-delete');
    expect(confirm.getAttribute('role')).toBe('dialog');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    const row = await rowOf(rude.id);
    await waitFor(() =>
      expect(within(row).getByTestId('chat-message-deleted').textContent).toBe('Removed by a moderator'),
    );
  });

  it('a pinned message is marked “(pinned)” for everyone, and the mark goes with Unpin', async () => {
    const channel = await scene('Pinned mark', bob);
    const note = await postMessage(carol, channel, { text: 'the plan for Friday' });
    renderChat(alice, { cid: channel.cid });
    const row = await rowOf(note.id);
    expect(within(row).queryByTestId('chat-message-pinned')).toBeNull();
    const menu = await openMenu(note.id);
    fireEvent.click(await within(menu).findByRole('menuitem', { name: 'Pin' }));
    await waitFor(() => expect(within(row).getByTestId('chat-message-pinned').textContent).toBe('(pinned)'));
    // Bob's client learns it from the event.
    await until(bob.channel(channel.type, channel.id).state, (st) =>
      st.messages.some((m) => m.id === note.id && m.pinned),
    );
    fireEvent.click(await within(await openMenu(note.id)).findByRole('menuitem', { name: 'Unpin' }));
    await waitFor(() => expect(within(row).queryByTestId('chat-message-pinned')).toBeNull());
  });

  it('a member reports once (a second report says so), sees no moderator items, and blocking hides the author at once', async () => {
    const channel = await scene('Report', bob);
    const rude = await postMessage(carol, channel, { text: 'spam spam spam' });
    const other = await postMessage(carol, channel, { text: 'more from carol' });
    renderChat(bob, { cid: channel.cid });

    let menu = await openMenu(rude.id);
    expect(labels(menu)).toEqual(expect.arrayContaining(['Report…', 'Block Carol']));
    expect(labels(menu)).not.toContain('Pin');
    expect(labels(menu)).not.toContain('Ban from channel…');
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Report…' }));
    let dialog = await screen.findByTestId('chat-report-dialog');
    const submit = within(dialog).getByRole('button', { name: 'Submit report' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Spam' }));
    fireEvent.click(submit);
    await within(dialog).findByText('Thanks. The moderators will review it.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByTestId('chat-report-dialog')).toBeNull();

    menu = await openMenu(rude.id);
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Report…' }));
    dialog = await screen.findByTestId('chat-report-dialog');
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Something else' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Submit report' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('You already reported this.');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByTestId('chat-report-dialog')).toBeNull();

    menu = await openMenu(other.id);
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Block Carol' }));
    dialog = await screen.findByTestId('chat-block-dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Block' }));
    await waitFor(() => {
      expect(document.querySelector(`[data-message-id="${rude.id}"]`)).toBeNull();
      expect(document.querySelector(`[data-message-id="${other.id}"]`)).toBeNull();
    });
  });

  it('the review queue lists a report with its count and reasons, and an item acted on leaves the list', async () => {
    const channel = await scene('Review', bob);
    const rude = await postMessage(carol, channel, { text: 'please review me' });
    const { moderationOf } = await import('@chat/core/moderation');
    await moderationOf(bob).flagMessage(rude.id, { reason: 'harassment' });
    // alice moderates the channel: its reports are hers to review.
    renderChat(alice, { children: <ReviewQueue /> });
    const queue = await screen.findByTestId('chat-review-queue');
    const item = await waitFor(() => {
      const found = within(queue)
        .getAllByTestId('chat-review-item')
        .find((i) => i.textContent?.includes('please review me'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(within(item).getByTestId('chat-review-count').dataset.count).toBe('1');
    expect(item.textContent).toContain('harassment');
    fireEvent.click(within(item).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(item.isConnected).toBe(false));
    expect(within(queue).getByRole('status').textContent).toContain('Dismissed.');
  });

  it('slow mode: a moderator sets it from the channel menu; a member’s send then waits with a countdown', async () => {
    const channel = await scene('Slow', alice);
    const view = renderChat(alice, { cid: channel.cid });
    fireEvent.click(await screen.findByRole('button', { name: 'Channel options' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Slow mode…' }));
    const setting = await screen.findByTestId('chat-slow-mode-setting');
    fireEvent.click(within(setting).getByRole('radio', { name: '1 min' }));
    fireEvent.click(within(setting).getByRole('button', { name: 'Save' }));
    await until(alice.channel(channel.type, channel.id).state, (s) => s.channel?.slow_mode_s === 60);
    // Moderators are exempt: no countdown for alice.
    expect(screen.queryByTestId('chat-slow-mode')).toBeNull();
    view.unmount();

    const bobs = bob.channel(channel.type, channel.id);
    await bobs.watch();
    await until(bobs.state, (s) => s.channel?.slow_mode_s === 60);
    renderChat(bob, { cid: channel.cid });
    const notice = await screen.findByTestId('chat-slow-mode');
    expect(notice.textContent).toBe('Slow mode: one message every 60 s');
    const sent = await bobs.sendMessage({ text: 'one a minute' });
    await rowOf(sent.id);
    await waitFor(() => expect(notice.dataset.waiting).toBe('true'));
    expect(notice.textContent).toMatch(/^Slow mode: wait (59|60) s$/);
    expect((screen.getByTestId('chat-send') as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {});
  });
});
