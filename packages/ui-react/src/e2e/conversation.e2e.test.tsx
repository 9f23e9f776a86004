import { type Channel, ChatClient, type WebSocketLike } from '@chat/core';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUser, newChannel, postMessage, renderChat, until, userId } from '../../test/harness';

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

const loaded = (channel: Channel) => until(channel.state, (s) => !s.loading && s.channel !== null);

/**
 * A client whose sends meet a server outage while `outage.on`: each `message.send` frame is
 * answered, without reaching the server, by the `unavailable` error a server whose database is
 * down sends, asking to retry in a minute.
 */
async function clientWithOutage(name: string) {
  const outage = { on: false };
  const Base = globalThis.WebSocket as unknown as new (url: string) => WebSocketLike;
  class OutageSocket extends Base {
    override send(data: string): void {
      const frame = JSON.parse(data) as { type: string; id: string };
      if (!outage.on || frame.type !== 'message.send') {
        super.send(data);
        return;
      }
      const error = {
        code: 'unavailable',
        message: 'The database is unavailable',
        status: 503,
        retryable: true,
        details: { retry_after_ms: 60_000 },
      };
      setTimeout(() => this.onmessage?.({ data: JSON.stringify({ type: 'error', id: frame.id, error }) }));
    }
  }
  const { url, apiKey } = inject('chatServer');
  const client = new ChatClient({ apiKey, baseUrl: url, env: { WebSocket: OutageSocket } });
  await client.auth.register({ username: userId(name), password: 'correct horse battery', name });
  return { client, outage };
}

describe('a conversation', () => {
  it('opens a thread from the reply count and replies in it', async () => {
    const { channel, bobs } = await openChannel('Threads');
    const parent = await bobs.sendMessage({ text: 'Thread starter' });
    await bobs.sendMessage({ text: 'First reply', parentId: parent.id });
    renderChat(alice, { cid: channel.cid });
    await loaded(channel);

    const row = await rowOf(parent.id);
    fireEvent.click(await within(row).findByRole('button', { name: '1 reply' }));
    const thread = await screen.findByRole('complementary', { name: 'Thread' });
    await within(thread).findByText('First reply');
    expect(within(thread).getByText('Thread starter')).toBeTruthy();

    const input = within(thread).getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
    expect(input.getAttribute('placeholder')).toBe('Reply in thread…');
    expect(document.activeElement).toBe(input);
    fireEvent.input(input, { target: { value: 'Second reply', selectionStart: 12, selectionEnd: 12 } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await within(thread).findByText('Second reply');
    await until(bobs.state, (s) => (s.threads[parent.id] ?? []).some((m) => m.text === 'Second reply'));
    await waitFor(() => expect(within(row).getByRole('button', { name: '2 replies' })).toBeTruthy());

    // Escape in the (empty) thread input closes the panel.
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByRole('complementary', { name: 'Thread' })).toBeNull();
  });

  it('adds a reaction from the picker and toggles it off from the reaction button', async () => {
    const { channel, bobs } = await openChannel('Reactions');
    const message = await bobs.sendMessage({ text: 'React to me' });
    renderChat(alice, { cid: channel.cid });
    await loaded(channel);
    const row = await rowOf(message.id);

    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(within(row).getByRole('menuitem', { name: 'Add reaction' }));
    const picker = within(row).getByRole('menu', { name: 'Pick a reaction' });
    expect(document.activeElement).toBe(within(picker).getAllByRole('menuitem')[0]);
    fireEvent.click(within(picker).getByRole('menuitem', { name: 'React with 🎉' }));

    const reaction = await within(row).findByRole('button', { name: '🎉: 1 reaction' });
    expect(reaction.getAttribute('aria-pressed')).toBe('true');
    await until(bobs.state, (s) => s.messages.find((m) => m.id === message.id)?.reaction_counts['🎉'] === 1);

    fireEvent.click(reaction);
    await waitFor(() => expect(within(row).queryByTestId('chat-reactions')).toBeNull());
    await until(bobs.state, (s) => !s.messages.find((m) => m.id === message.id)?.reaction_counts['🎉']);

    // One click: a quick reaction beside the menu, pressed once added, and again to take it back.
    const quick = within(within(row).getByRole('group', { name: 'Quick reactions' })).getByRole('button', {
      name: 'React with 👍',
    });
    fireEvent.click(quick);
    await within(row).findByRole('button', { name: '👍: 1 reaction' });
    await waitFor(() => expect(quick.getAttribute('aria-pressed')).toBe('true'));
    await until(bobs.state, (s) => s.messages.find((m) => m.id === message.id)?.reaction_counts['👍'] === 1);
    fireEvent.click(quick);
    await until(bobs.state, (s) => !s.messages.find((m) => m.id === message.id)?.reaction_counts['👍']);
  });

  it('shows a refused message as failed, with Retry and Discard', async () => {
    const { channel } = await openChannel('Failures');
    renderChat(alice, { cid: channel.cid });
    await loaded(channel);
    const input = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
    // Longer than the server accepts: a permanent failure.
    const tooLong = 'x'.repeat(5_001);
    fireEvent.input(input, { target: { value: tooLong, selectionStart: 5_001, selectionEnd: 5_001 } });
    fireEvent.keyDown(input, { key: 'Enter' });

    const status = await waitFor(() => {
      const found = document.querySelector<HTMLElement>(
        '[data-testid="chat-message-status"][data-status="failed"]',
      );
      expect(found).not.toBeNull();
      return found!;
    });
    expect(within(status).getByRole('alert').textContent).toBe('Not sent.');
    fireEvent.click(within(status).getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(
        document.querySelector('[data-testid="chat-message-status"][data-status="failed"]'),
      ).not.toBeNull(),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    await waitFor(() => expect(document.querySelectorAll('[data-message-id]')).toHaveLength(0));
    expect(channel.state.getSnapshot().messages).toHaveLength(0);
  });

  it('shows a send caught in an outage as waiting, with Retry now; it is sent once the server is back', async () => {
    const { client: carol, outage } = await clientWithOutage('carol');
    try {
      const channel = await newChannel(carol, 'Outage', ['carol']);
      renderChat(carol, { cid: channel.cid });
      await loaded(channel);
      outage.on = true;
      const input = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
      fireEvent.input(input, { target: { value: 'Still there?', selectionStart: 12, selectionEnd: 12 } });
      fireEvent.keyDown(input, { key: 'Enter' });

      const status = await waitFor(() => {
        const found = document.querySelector<HTMLElement>(
          '[data-testid="chat-message-status"][data-status="waiting"]',
        );
        expect(found).not.toBeNull();
        return found!;
      });
      expect(within(status).getByRole('status').textContent).toBe('Waiting to send…');
      // Not failed: no alert, nothing to discard.
      expect(screen.queryByRole('alert')).toBeNull();

      outage.on = false;
      fireEvent.click(within(status).getByRole('button', { name: 'Retry now' }));
      await until(channel.state, (s) =>
        s.messages.some((m) => m.text === 'Still there?' && m.status === 'sent'),
      );
      await waitFor(() =>
        expect(
          document.querySelector('[data-testid="chat-message-status"]')?.getAttribute('data-status'),
        ).toBe('sent'),
      );
    } finally {
      await carol.disconnect();
    }
  });

  it('deletes an own message: it stays in place, marked deleted', async () => {
    const { channel, bobs } = await openChannel('Deletes');
    const message = await channel.sendMessage({ text: 'Regrettable' });
    renderChat(alice, { cid: channel.cid });
    await loaded(channel);
    const row = await rowOf(message.id);
    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(within(row).getByRole('menuitem', { name: 'Delete' }));
    // Asked first; Cancel (which has the focus) keeps it.
    const confirm = within(row).getByRole('alertdialog', { name: /delete this message/i });
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(within(row).queryByRole('alertdialog')).toBeNull();
    expect(within(row).getByText('Regrettable')).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(within(row).getByRole('menuitem', { name: 'Delete' }));
    fireEvent.click(within(within(row).getByRole('alertdialog')).getByRole('button', { name: 'Delete' }));
    await within(row).findByTestId('chat-message-deleted');
    expect(within(row).queryByText('Regrettable')).toBeNull();
    await until(bobs.state, (s) => s.messages.find((m) => m.id === message.id)?.deleted_at != null);
  });

  it('shows who is typing, and the header shows members and who is online', async () => {
    const { channel, bobs } = await openChannel('Typing');
    renderChat(alice, { cid: channel.cid });
    await loaded(channel);
    await waitFor(() => expect(screen.getByTestId('chat-member-count').textContent).toBe('2 members'));
    await waitFor(() =>
      expect(
        [...screen.getByTestId('chat-online-users').querySelectorAll('[data-user-id]')].map((li) =>
          li.getAttribute('data-user-id'),
        ),
      ).toEqual(expect.arrayContaining([userId('bob')])),
    );

    act(() => bobs.startTyping());
    await waitFor(() =>
      expect(screen.getByTestId('chat-typing-indicator').textContent).toBe('Bob is typing…'),
    );
    act(() => bobs.stopTyping());
    await waitFor(() => expect(screen.getByTestId('chat-typing-indicator').textContent).toBe(''));
  });

  it('shows image and file attachments, with the image box sized before it loads', async () => {
    const { channel } = await openChannel('Attachments');
    const message = await postMessage(bob, channel, {
      text: 'Files',
      attachments: [
        { type: 'image', url: 'https://cdn.example.com/a.png', name: 'a.png', width: 1280, height: 640 },
        { type: 'file', url: 'https://cdn.example.com/report.pdf', name: 'report.pdf', file_size: 2_048_000 },
      ],
    });
    renderChat(alice, { cid: channel.cid });
    await loaded(channel);
    const row = await rowOf(message.id);
    const image = within(row).getByRole<HTMLImageElement>('img', { name: 'a.png' });
    expect(image.getAttribute('src')).toBe('https://cdn.example.com/a.png');
    expect([image.getAttribute('width'), image.getAttribute('height')]).toEqual(['320', '160']);
    const file = within(row).getByTestId('chat-attachment-file');
    expect(file.getAttribute('href')).toBe('https://cdn.example.com/report.pdf');
    expect(file.textContent).toContain('report.pdf');
    expect(file.textContent).toContain('2.0 MB');
  });
});
