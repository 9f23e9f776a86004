import type { Message } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { message, newMessage, serverState } from '../test/channel-fixtures';
import { Channel } from './channel';
import type { ChannelContext } from './channel-context';
import type { ConnectionManager } from './connection/connection-manager';
import { resolveEnvironment } from './environment';
import { ChatError } from './errors';
import type { HttpClient } from './http-client';
import { createStore } from './store';

/**
 * A channel of messages 1..`total` (seq = number) behind a fake REST API that pages like the
 * server: before/after/around, oldest first, `has_more` in the direction of travel, `has_newer`.
 */
function setup(total = 500) {
  let history: Message[] = Array.from({ length: total }, (_, i) => message(i + 1));
  const requests: Record<string, unknown>[] = [];
  const list = vi.fn(
    async (_name: string, { query }: { query: Record<string, string | number | undefined> }) => {
      requests.push(query);
      const limit = Number(query.limit ?? 50);
      const index = (id: unknown) => history.findIndex((m) => m.id === id);
      if (query.around !== undefined) {
        const at = index(query.around);
        if (at < 0) throw new ChatError({ code: 'not_found', message: 'No such message', status: 404 });
        const from = Math.max(0, Math.min(at - Math.floor((limit - 1) / 2), history.length - limit));
        const page = history.slice(from, from + limit);
        return { messages: page, has_more: from > 0, has_newer: from + limit < history.length };
      }
      if (query.after !== undefined) {
        const at = index(query.after);
        const page = history.slice(at + 1, at + 1 + limit);
        const more = at + 1 + limit < history.length;
        return { messages: page, has_more: more, has_newer: more };
      }
      const end = query.before !== undefined ? index(query.before) : history.length;
      const from = Math.max(0, end - limit);
      return { messages: history.slice(from, end), has_more: from > 0 };
    },
  );
  const connection = {
    request: vi.fn(),
    state: createStore({ status: 'connected', attempt: 0 }),
  } as unknown as ConnectionManager;
  const ctx: ChannelContext = {
    connection,
    http: { request: list } as unknown as HttpClient,
    env: resolveEnvironment({ randomUUID: () => 'uuid-1' }),
    userId: () => 'alice',
    onUnreadChanged: vi.fn(),
    onMessageSent: vi.fn(),
  };
  const channel = new Channel('messaging', 'trip', ctx);
  // The live list: the newest 30.
  channel.seed(serverState(total, history.slice(-30)));
  const seqs = () => channel.state.getSnapshot().messages.map((m) => m.seq);
  const arrive = (seq: number) => {
    const m = message(seq);
    history = [...history, m];
    channel.handleEvent(newMessage(m));
  };
  return { channel, requests, seqs, arrive, state: () => channel.state.getSnapshot() };
}

describe('jumping to a message', () => {
  it('shows the messages around one far back, as a window of the past that pages both ways', async () => {
    const t = setup();
    await t.channel.jumpTo('m100', { limit: 11 });
    expect(t.seqs()).toEqual([95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105]);
    expect(t.state()).toMatchObject({ hasOlder: true, hasNewer: true });

    await t.channel.loadOlder({ limit: 5 });
    expect(t.seqs()[0]).toBe(90);
    expect(await t.channel.loadNewer({ limit: 5 })).toBe(true);
    expect(t.seqs().at(-1)).toBe(110);
    expect(t.seqs()).toEqual(Array.from({ length: 21 }, (_, i) => 90 + i));
  });

  it('a message arriving meanwhile does not join the window; it is there back at the newest', async () => {
    const t = setup();
    await t.channel.jumpTo('m100', { limit: 11 });
    t.arrive(501);
    expect(t.seqs().at(-1)).toBe(105);
    expect(t.state().lastSeq).toBe(501);
    expect(t.state().unreadCount).toBe(1);

    await t.channel.jumpToLatest();
    expect(t.state().hasNewer).toBe(false);
    expect(t.seqs().at(-1)).toBe(501);
    t.arrive(502);
    expect(t.seqs().at(-1)).toBe(502);
  });

  it('paging newer until the newest joins the live list again', async () => {
    const t = setup(80);
    await t.channel.jumpTo('m30', { limit: 11 }); // 25..35 (the live list is 51..80)
    expect(await t.channel.loadNewer({ limit: 30 })).toBe(true); // 36..65
    expect(await t.channel.loadNewer({ limit: 30 })).toBe(false); // 66..80
    expect(t.state().hasNewer).toBe(false);
    expect(t.seqs()).toEqual(Array.from({ length: 56 }, (_, i) => 25 + i));
    t.arrive(81);
    expect(t.seqs().at(-1)).toBe(81);
  });

  it('loads nothing for a message already shown, and leaves the list as it was for an unknown one', async () => {
    const t = setup();
    const before = t.state().messages;
    await t.channel.jumpTo('m490');
    expect(t.requests).toEqual([]);
    await expect(t.channel.jumpTo('nope')).rejects.toMatchObject({ code: 'not_found' });
    expect(t.state().messages).toBe(before);
    expect(t.state().hasNewer).toBe(false);
  });

  it('an edit or reaction of a message outside the window does not make a hole in it', async () => {
    const t = setup();
    const edited = { ...message(10), text: 'edited', updated_at: '2026-01-01T00:00:00.000Z' };
    t.channel.handleEvent({
      type: 'message.updated',
      cid: edited.cid,
      seq: 501,
      created_at: edited.updated_at,
      message: edited,
    });
    expect(t.seqs()[0]).toBe(471);
    expect(t.seqs()).not.toContain(10);
    // Inside the window it applies.
    await t.channel.jumpTo('m10', { limit: 5 });
    const again = { ...message(10), text: 'edited again' };
    t.channel.handleEvent({
      type: 'message.updated',
      cid: again.cid,
      seq: 502,
      created_at: again.updated_at,
      message: again,
    });
    expect(t.state().messages.find((m) => m.seq === 10)?.text).toBe('edited again');
  });

  it('a page of an earlier window that answers late is dropped', async () => {
    const t = setup();
    const older = t.channel.loadOlder({ limit: 5 });
    await t.channel.jumpTo('m100', { limit: 11 });
    await older;
    expect(t.seqs()).toEqual([95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105]);
  });

  it('sending while a window of the past is shown goes back to the newest', async () => {
    const t = setup();
    await t.channel.jumpTo('m100', { limit: 11 });
    void t.channel.sendMessage({ text: 'hello' }).catch(() => {});
    await vi.waitFor(() => expect(t.state().hasNewer).toBe(false));
    const messages = t.state().messages;
    expect(messages.at(-1)).toMatchObject({ text: 'hello', user_id: 'alice' });
    expect(messages.at(-2)?.seq).toBe(500);
  });
});
