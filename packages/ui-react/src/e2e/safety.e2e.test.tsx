import type { ChatClient } from '@chat/core';
import { screen, waitFor, within } from '@testing-library/react';
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

describe('user text is text', () => {
  it('renders markup as the characters typed, links only http(s) URLs, and never a javascript: URL', async () => {
    const channel = await newChannel(alice, 'XSS', ['alice', 'bob']);
    const bobs = bob.channel(channel.type, channel.id);
    await bobs.watch();
    const attack = '<img src=x onerror="window.__pwned = true"> <b>bold</b>';
    const tricky = 'javascript:alert(1) and [x](javascript:alert(2)) but https://example.com/a?b=1&c=2.';
    const hostile = await bobs.sendMessage({ text: attack });
    const links = await bobs.sendMessage({ text: tricky });

    renderChat(alice, { cid: channel.cid });
    await until(channel.state, (s) => s.messages.length === 2);
    const log = await screen.findByRole('log');
    const rowOf = (id: string) =>
      waitFor(() => {
        const row = log.querySelector<HTMLElement>(`[data-message-id="${id}"]`);
        expect(row).not.toBeNull();
        return row!;
      });

    const hostileRow = await rowOf(hostile.id);
    const text = within(hostileRow).getByTestId('chat-message-text');
    expect(text.textContent).toBe(attack);
    expect(text.querySelector('img, b')).toBeNull();
    expect((window as { __pwned?: boolean }).__pwned).toBeUndefined();

    const linkRow = await rowOf(links.id);
    const anchors = [...linkRow.querySelectorAll('a')];
    expect(anchors.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a?b=1&c=2']);
    expect(anchors[0]!.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(anchors[0]!.getAttribute('target')).toBe('_blank');
    // The trailing full stop is prose, not part of the URL.
    expect(anchors[0]!.textContent).toBe('https://example.com/a?b=1&c=2');
    expect(within(linkRow).getByTestId('chat-message-text').textContent).toBe(tricky);
    expect(document.querySelector('a[href^="javascript"]')).toBeNull();
  });
});
