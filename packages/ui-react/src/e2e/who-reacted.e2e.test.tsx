import type { ChatClient } from '@chat/core';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectUser, newChannel, renderChat, until, userId } from '../../test/harness';
import type { ReactionRef } from '../components/reaction-users/reactors-store';
import type { ReactionsProps } from '../components/reactions';
import { defaultComponents } from '../default-components';

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
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

/** The loader the `Reactions` override below passes; each test sets its own. */
let loadReactions: (messageId: string) => Promise<readonly ReactionRef[]> = async () => [];
const ReactionsWithLoader = (props: ReactionsProps) => (
  <defaultComponents.Reactions {...props} loadReactions={(id) => loadReactions(id)} />
);

const tooltipOf = (chip: HTMLElement) => document.getElementById(chip.getAttribute('aria-describedby')!)!;

describe('who reacted', () => {
  it('names the people seen reacting, "You" first, on hover and as the chip’s description', async () => {
    const { channel, bobs } = await openChannel('Who reacted');
    const message = await bobs.sendMessage({ text: 'Party tonight' });
    renderChat(alice, { cid: channel.cid });
    const row = await rowOf(message.id);
    await until(channel.state, (s) => !s.loading);

    await bobs.sendReaction(message.id, '🎉');
    const chip = await within(row).findByRole('button', {
      name: '🎉: 1 reaction',
      description: 'Bob reacted with 🎉',
    });
    const tooltip = tooltipOf(chip);
    expect(tooltip.getAttribute('role')).toBe('tooltip');
    expect(tooltip.hidden).toBe(true);

    fireEvent.mouseEnter(chip.parentElement!);
    expect(tooltip.hidden).toBe(false);
    expect(tooltip.textContent).toBe('Bob reacted with 🎉');
    fireEvent.mouseLeave(chip.parentElement!);
    expect(tooltip.hidden).toBe(true);

    fireEvent.click(chip);
    await within(row).findByRole('button', {
      name: '🎉: 2 reactions',
      description: 'You and Bob reacted with 🎉',
    });
  });

  it('shows on keyboard focus; Escape hides it without closing anything else; blur hides it', async () => {
    const { channel, bobs } = await openChannel('Who reacted keys');
    const message = await bobs.sendMessage({ text: 'Keys' });
    await channel.sendReaction(message.id, '👍');
    renderChat(alice, { cid: channel.cid });
    const row = await rowOf(message.id);
    const chip = await within(row).findByRole('button', { name: '👍: 1 reaction' });
    const tooltip = tooltipOf(chip);
    expect(tooltip.textContent).toBe('You reacted with 👍');

    act(() => chip.focus());
    expect(tooltip.hidden).toBe(false);
    const outer = vi.fn();
    document.addEventListener('keydown', outer);
    fireEvent.keyDown(chip, { key: 'Escape' });
    document.removeEventListener('keydown', outer);
    expect(tooltip.hidden).toBe(true);
    expect(outer).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(chip);

    fireEvent.focus(chip);
    expect(tooltip.hidden).toBe(false);
    fireEvent.blur(chip);
    expect(tooltip.hidden).toBe(true);
  });

  it('counts people it cannot name', async () => {
    const { channel, bobs } = await openChannel('Who reacted unknown');
    const message = await bobs.sendMessage({ text: 'Earlier' });
    // Before this screen existed: nobody saw it happen.
    await bobs.sendReaction(message.id, '😮');
    renderChat(alice, { cid: channel.cid });
    const row = await rowOf(message.id);
    await within(row).findByRole('button', {
      name: '😮: 1 reaction',
      description: '1 person reacted with 😮',
    });
  });

  it('names, from the server, a reaction made before the page was loaded (asked once)', async () => {
    const { channel, bobs } = await openChannel('Who reacted before');
    const message = await bobs.sendMessage({ text: 'Before you came' });
    await bobs.sendReaction(message.id, '🚀');
    await bobs.sendReaction(message.id, '👀');
    const asked = vi.spyOn(alice.messages, 'reactions');
    try {
      renderChat(alice, { cid: channel.cid });
      const row = await rowOf(message.id);
      const chip = await within(row).findByRole('button', {
        name: '🚀: 1 reaction',
        description: '1 person reacted with 🚀',
      });
      expect(asked).not.toHaveBeenCalled();

      fireEvent.mouseEnter(chip.parentElement!);
      expect(tooltipOf(chip).textContent).toBe('Loading who reacted…');
      await within(row).findByRole('button', { name: '🚀: 1 reaction', description: 'Bob reacted with 🚀' });
      // One answer names the people of every type on the message.
      await within(row).findByRole('button', { name: '👀: 1 reaction', description: 'Bob reacted with 👀' });
      fireEvent.mouseLeave(chip.parentElement!);
      act(() => within(row).getByRole('button', { name: '👀: 1 reaction' }).focus());
      expect(asked).toHaveBeenCalledTimes(1);
      expect(asked).toHaveBeenCalledWith(message.id, { limit: 100 });
    } finally {
      asked.mockRestore();
    }
  });

  it('asks a loader once per message, saying it is loading meanwhile', async () => {
    const { channel, bobs } = await openChannel('Who reacted loader');
    const message = await bobs.sendMessage({ text: 'Loaded' });
    await bobs.sendReaction(message.id, '❤️');
    let answer: (reactions: ReactionRef[]) => void = () => {};
    const loader = vi.fn(
      (_id: string) =>
        new Promise<readonly ReactionRef[]>((resolve) => {
          answer = resolve;
        }),
    );
    loadReactions = loader;
    renderChat(alice, { cid: channel.cid, components: { Reactions: ReactionsWithLoader } });
    const row = await rowOf(message.id);
    const chip = await within(row).findByRole('button', { name: '❤️: 1 reaction' });
    const tooltip = tooltipOf(chip);

    fireEvent.mouseEnter(chip.parentElement!);
    expect(tooltip.textContent).toBe('Loading who reacted…');
    expect(loader).toHaveBeenCalledWith(message.id);
    answer([{ type: '❤️', user_id: userId('bob') }]);
    await waitFor(() => expect(tooltip.textContent).toBe('Bob reacted with ❤️'));

    fireEvent.mouseLeave(chip.parentElement!);
    fireEvent.mouseEnter(chip.parentElement!);
    act(() => chip.focus());
    expect(loader).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('button', { name: '❤️: 1 reaction', description: 'Bob reacted with ❤️' })).toBe(
      chip,
    );
  });
});
