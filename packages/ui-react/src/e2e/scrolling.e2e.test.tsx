import type { ChatClient } from '@chat/core';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, newChannel, newClient, postMessage, renderChat, until } from '../../test/harness';
import { ROW_HEIGHT, VIEWPORT_HEIGHT } from '../../test/layout';

let alice: ChatClient;
let bob: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect()]);
});

const scroller = () => screen.getByTestId('chat-message-list');
const renderedRows = () => [...scroller().querySelectorAll<HTMLElement>('[data-message-id]')];
const startOf = (row: HTMLElement) => Number(/translateY\(([-\d.]+)px\)/.exec(row.style.transform)?.[1]);

/** The first row whose box is on screen, and where its top is relative to the viewport's top. */
function firstVisible() {
  const top = scroller().scrollTop;
  const row = renderedRows()
    .sort((a, b) => startOf(a) - startOf(b))
    .find((r) => startOf(r) + ROW_HEIGHT > top)!;
  return { id: row.dataset.messageId!, offset: startOf(row) - top };
}

const indexOf = (id: string) => Number(renderedRows().find((r) => r.dataset.messageId === id)?.dataset.index);

/** Lets the virtualizer's scroll and measurement follow-ups run. */
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 50)));

describe('virtualized scrolling (jsdom with a fixed 600 px viewport and 60 px rows)', () => {
  it('keeps the first visible message in place when older messages load on scroll-up', async () => {
    const channel = await newChannel(alice, 'History', ['alice', 'bob']);
    for (let i = 1; i <= 110; i += 1) await postMessage(bob, channel, { text: `history ${i}` });

    renderChat(alice, { cid: channel.cid });
    // The watch loads the newest 30; the list opens at its end.
    await until(channel.state, (s) => !s.loading && s.messages.length === 30);
    await waitFor(() =>
      expect(renderedRows().some((r) => r.textContent?.includes('history 110'))).toBe(true),
    );
    await settle();
    expect(scroller().scrollTop).toBe(30 * ROW_HEIGHT - VIEWPORT_HEIGHT);

    // Scroll near the top: older messages load, and what the user looks at must not move.
    // The scroll event comes a timer later and starts the load; the page cannot arrive before
    // the next turn of the event loop, so this is what the user saw when it was asked for.
    await act(async () => {
      scroller().scrollTop = 90;
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(channel.state.getSnapshot().messages).toHaveLength(30);
    const before = firstVisible();
    expect(before.offset).toBe(-30);
    const indexBefore = indexOf(before.id);
    await until(channel.state, (s) => s.messages.length === 80);
    await settle();
    const after = firstVisible();
    expect(after).toEqual(before);
    // The 50 older rows went in above it, and the scroll position moved down past them (rows not
    // rendered yet count at the estimated height until measured).
    expect(indexOf(after.id)).toBe(indexBefore + 50);
    expect(scroller().scrollTop).toBeGreaterThan(50 * 23 + 90);
  });

  it('sticks to the end for new messages while at the end; shows a "new messages" pill when scrolled up', async () => {
    const channel = await newChannel(alice, 'Follow', ['alice', 'bob']);
    const bobs = bob.channel(channel.type, channel.id);
    await bobs.watch();
    for (let i = 1; i <= 20; i += 1) await bobs.sendMessage({ text: `early ${i}` });
    renderChat(alice, { cid: channel.cid });
    await until(channel.state, (s) => !s.loading && s.messages.length === 20);
    await settle();
    const end = () => scroller().scrollHeight - scroller().clientHeight;
    expect(scroller().scrollTop).toBe(end());

    await bobs.sendMessage({ text: 'arrives at the end' });
    await until(channel.state, (s) => s.messages.length === 21);
    await settle();
    expect(scroller().scrollTop).toBe(end());
    expect(screen.queryByTestId('chat-new-messages-pill')).toBeNull();

    act(() => {
      scroller().scrollTop = end() - 500;
    });
    await settle();
    const reading = firstVisible();
    await bobs.sendMessage({ text: 'arrives while reading' });
    await bobs.sendMessage({ text: 'and another' });
    const pill = await screen.findByRole('button', { name: /2 new messages/ });
    await settle();
    // Not pulled down: the user keeps reading where they were.
    expect(firstVisible()).toEqual(reading);

    fireEvent.click(pill);
    await settle();
    expect(scroller().scrollTop).toBe(end());
    expect(screen.queryByTestId('chat-new-messages-pill')).toBeNull();
  });

  it('renders 10,000 messages with only the rows on screen in the DOM, opening at the newest', async () => {
    const client = newClient();
    const channel = client.channel('messaging', 'ten-thousand');
    const user = { id: 'carol', name: 'Carol', image: null, online: false };
    const start = Date.parse('2025-01-01T00:00:00Z');
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      cid: channel.cid,
      seq: i + 1,
      client_msg_id: null,
      type: 'regular' as const,
      text: `message ${i}`,
      user_id: user.id,
      user,
      attachments: [],
      mentioned_user_ids: [],
      parent_id: null,
      reply_count: 0,
      quoted_message_id: null,
      reaction_counts: {},
      own_reactions: [],
      pinned: false,
      pinned_at: null,
      pinned_by: null,
      custom: {},
      created_at: new Date(start + i * 3_600_000).toISOString(),
      updated_at: new Date(start + i * 3_600_000).toISOString(),
      edited_at: null,
      deleted_at: null,
    }));
    const now = new Date(start).toISOString();
    channel.seed({
      channel: {
        cid: channel.cid,
        type: 'messaging',
        id: 'ten-thousand',
        name: 'Ten thousand',
        image: null,
        custom: {},
        created_by: null,
        member_count: 1,
        frozen: false,
        seq: 10_000,
        last_message_at: now,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        truncated_at: null,
      },
      members: [],
      messages,
      read: [],
      membership: null,
      draft: null,
    });

    renderChat(client, { cid: channel.cid });
    await settle();
    const rows = renderedRows();
    expect(rows.length).toBeGreaterThan(VIEWPORT_HEIGHT / ROW_HEIGHT);
    expect(rows.length).toBeLessThan(30);
    expect(rows.map((r) => r.dataset.messageId)).toContain(messages.at(-1)!.id);
    expect(scroller().scrollTop).toBe(scroller().scrollHeight - VIEWPORT_HEIGHT);

    act(() => {
      scroller().scrollTop = 5_000 * ROW_HEIGHT;
    });
    await settle();
    // Rows not yet measured are placed by estimate, so which message is there is not asserted:
    // only that the viewport is covered by a few rendered rows.
    expect(renderedRows().length).toBeLessThan(30);
    const top = firstVisible();
    expect(top.offset).toBeLessThanOrEqual(0);
    expect(top.offset).toBeGreaterThan(-ROW_HEIGHT);
  });
});
