import type { Channel, ChatClient } from '@chat/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAgain,
  connectUser,
  FullChannel,
  newChannel,
  renderChat,
  until,
  userId,
} from '../../test/harness';
import { Chat } from '../components/chat';

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

/** Renders alice's kit on a new channel with bob, once the channel has loaded. */
async function openChannel(name: string) {
  const channel = await newChannel(alice, name, ['alice', 'bob']);
  renderChat(alice, { cid: channel.cid });
  await until(channel.state, (s) => !s.loading && s.channel !== null);
  const input = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
  return { channel, input };
}

/**
 * Types `text` the way a user does: the value changes, the caret sits at its end. An `input`
 * event (an InputEvent): the global `Event` is Node's in these tests (see jsdom-environment.ts),
 * which jsdom refuses, and React's onChange of a textarea listens to `input` anyway.
 */
function type(input: HTMLTextAreaElement, text: string) {
  fireEvent.input(input, { target: { value: text, selectionStart: text.length, selectionEnd: text.length } });
}

/** The server's copy of the messages (what bob would load), oldest first. */
async function serverMessages(channel: Channel) {
  const page = await bob.http.request('listMessages', {
    params: { type: channel.type, id: channel.id },
    query: {},
  });
  return page.messages;
}

describe('<MessageInput>', () => {
  it('sends on Enter, and the message reaches the server', async () => {
    const { channel, input } = await openChannel('Enter');
    type(input, '  Hello, Enter  ');
    fireEvent.keyDown(input, { key: 'Enter' });
    // The input empties at once; the message shows while it is on its way.
    expect(input.value).toBe('');
    await screen.findByText('Hello, Enter');
    await waitFor(async () =>
      expect((await serverMessages(channel)).map((m) => m.text)).toEqual(['Hello, Enter']),
    );
  });

  it('leaves Shift+Enter to the textarea (a line break), and sends multi-line text as typed', async () => {
    const { channel, input } = await openChannel('Shift Enter');
    type(input, 'first line');
    // Not prevented: the browser's default action inserts the line break.
    expect(fireEvent.keyDown(input, { key: 'Enter', shiftKey: true })).toBe(true);
    expect(input.value).toBe('first line');
    type(input, 'first line\nsecond line');
    expect(fireEvent.keyDown(input, { key: 'Enter' })).toBe(false);
    await waitFor(async () =>
      expect((await serverMessages(channel)).map((m) => m.text)).toEqual(['first line\nsecond line']),
    );
  });

  it('edits through the message menu: the input holds the text, Escape cancels, Enter saves', async () => {
    const { channel, input } = await openChannel('Edit');
    const sent = await channel.sendMessage({ text: 'Typo hree' });
    type(input, 'half-written draft');

    const row = await waitFor(() => {
      const found = document.querySelector<HTMLElement>(`[data-message-id="${sent.id}"]`);
      expect(found).not.toBeNull();
      return found!;
    });
    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    const menu = within(row).getByRole('menu', { name: 'Message actions' });
    // The menu takes focus; arrow keys move within it.
    expect(document.activeElement).toBe(within(menu).getAllByRole('menuitem')[0]);
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Edit' }));

    expect(input.value).toBe('Typo hree');
    expect(screen.getByTestId('chat-editing-banner')).toBeTruthy();
    expect(document.activeElement).toBe(input);

    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('chat-editing-banner')).toBeNull();
    expect(input.value).toBe('half-written draft');

    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(within(row).getByRole('menuitem', { name: 'Edit' }));
    type(input, 'Typo here');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('half-written draft');
    await waitFor(() => expect(within(row).getByTestId('chat-message-edited')).toBeTruthy());
    expect(within(row).getByText('Typo here')).toBeTruthy();
    await waitFor(async () => expect((await serverMessages(channel))[0]?.text).toBe('Typo here'));
  });

  it('quotes a message: the reply carries quoted_message_id and shows the quote', async () => {
    const { channel, input } = await openChannel('Quote');
    const original = await channel.sendMessage({ text: 'Lunch at noon?' });
    const row = await waitFor(
      () => document.querySelector<HTMLElement>(`[data-message-id="${original.id}"]`)!,
    );
    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(within(row).getByRole('menuitem', { name: 'Quote' }));
    expect(screen.getByTestId('chat-quote-banner').textContent).toContain('Replying to Alice');
    type(input, 'Yes!');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.queryByTestId('chat-quote-banner')).toBeNull();
    await waitFor(async () => {
      const reply = (await serverMessages(channel)).find((m) => m.text === 'Yes!');
      expect(reply?.quoted_message_id).toBe(original.id);
    });
    await waitFor(() =>
      expect(screen.getByTestId('chat-quoted-message').textContent).toContain('Lunch at noon?'),
    );
  });

  it('suggests members after "@": arrows move, Enter picks, Escape closes; the pick is sent as a mention', async () => {
    const { channel, input } = await openChannel('Mentions');
    await until(channel.state, (s) => Object.keys(s.members).length === 2);

    type(input, 'Hey @b');
    const list = screen.getByRole('listbox', { name: 'People to mention' });
    const options = within(list).getAllByRole('option');
    // Members only, not the user themselves.
    expect(options.map((o) => o.dataset.userId)).toEqual([userId('bob')]);
    expect(input.getAttribute('aria-activedescendant')).toBe(options[0]!.id);

    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();

    type(input, 'Hey @b @');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getByRole('listbox')).toBeTruthy();
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('Hey @b @Bob ');
    expect(screen.queryByRole('listbox')).toBeNull();

    type(input, 'Hey @b @Bob look');
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(async () => {
      const [message] = await serverMessages(channel);
      expect(message?.text).toBe('Hey @b @Bob look');
      expect(message?.mentioned_user_ids).toEqual([userId('bob')]);
    });
  });

  it('keeps a draft per channel across a channel switch and saves it on the server', async () => {
    const first = await newChannel(alice, 'Draft one', ['alice', 'bob']);
    const second = await newChannel(alice, 'Draft two', ['alice', 'bob']);
    const view = renderChat(alice, { cid: first.cid });
    await until(first.state, (s) => !s.loading && s.channel !== null);
    type(screen.getByRole('textbox', { name: 'Message' }), 'unfinished thought');

    view.rerender(
      <Chat client={alice}>
        <FullChannel cid={second.cid} />
      </Chat>,
    );
    expect(screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' }).value).toBe('');
    // Leaving the channel saved the draft at once, without waiting for the typing pause.
    await waitFor(async () => {
      const { draft } = await alice.http.request('getDraft', {
        params: { type: first.type, id: first.id },
        query: {},
      });
      expect(draft?.text).toBe('unfinished thought');
    });

    view.rerender(
      <Chat client={alice}>
        <FullChannel cid={first.cid} />
      </Chat>,
    );
    expect(screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' }).value).toBe(
      'unfinished thought',
    );
  });

  it('restores the draft saved on the server when the channel opens in a new session', async () => {
    const channel = await newChannel(alice, 'Server draft', ['alice', 'bob']);
    await channel.saveDraft('from another device');
    const other = await connectAgain('alice');
    try {
      renderChat(other, { cid: channel.cid });
      await waitFor(() =>
        expect(screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' }).value).toBe(
          'from another device',
        ),
      );
    } finally {
      await other.disconnect();
    }
  });
});
