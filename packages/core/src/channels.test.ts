import { describe, expect, it, vi } from 'vitest';
import { CID, message, newMessage, serverState, T0 } from '../test/channel-fixtures';
import { Channels } from './channels';
import type { ConnectionManager } from './connection/connection-manager';
import { resolveEnvironment } from './environment';
import type { HttpClient } from './http-client';

function setup() {
  const request = vi.fn();
  const channels = new Channels({
    connection: { request: vi.fn() } as unknown as ConnectionManager,
    http: { request } as unknown as HttpClient,
    env: resolveEnvironment({ randomUUID: () => 'uuid' }),
    userId: () => 'alice',
  });
  return { channels, request };
}

const other = (id: string, at: string) => {
  const state = serverState(1, []);
  return { ...state, channel: { ...state.channel, cid: `messaging:${id}`, id, last_message_at: at } };
};

describe('Channels', () => {
  it('hands out one handle per cid, fetching nothing', () => {
    const { channels, request } = setup();
    expect(channels.channel('messaging', 'trip')).toBe(channels.channel('messaging', 'trip'));
    expect(request).not.toHaveBeenCalled();
  });

  it('fills the list from a query, newest activity first, and seeds the handles', async () => {
    const { channels, request } = setup();
    request.mockResolvedValueOnce({
      channels: [other('old', '2025-01-01T00:00:00.000Z'), serverState(2, [message(1), message(2)])],
      next_cursor: null,
    });
    const result = await channels.query({ limit: 20 });
    expect(result.channels.map((c) => c.cid)).toEqual(['messaging:old', CID]);
    expect(channels.list.getSnapshot().map((e) => e.cid)).toEqual([CID, 'messaging:old']);
    expect(channels.list.getSnapshot()[0]?.lastMessage?.id).toBe('m2');
    expect(channels.channel('messaging', 'trip').state.getSnapshot().messages).toHaveLength(2);
  });

  it('moves a channel to the top on a new message and tracks the unread total', async () => {
    const { channels, request } = setup();
    request.mockResolvedValueOnce({
      channels: [serverState(2, []), other('old', '2025-01-01T00:00:00.000Z')],
      next_cursor: null,
    });
    await channels.query();
    const later = '2099-01-01T00:00:00.000Z';
    channels.handleEvent({
      type: 'notification.message_new',
      cid: 'messaging:old',
      seq: 2,
      created_at: later,
      message: message(2, { cid: 'messaging:old', created_at: later }),
      unread_count: 3,
      total_unread_count: 5,
    });
    const list = channels.list.getSnapshot();
    expect(list.map((e) => [e.cid, e.unreadCount])).toEqual([
      ['messaging:old', 3],
      [CID, 0],
    ]);
    expect(channels.unreadTotal.getSnapshot()).toBe(5);
    const before = channels.list.getSnapshot();
    channels.handleEvent(newMessage(message(3, { created_at: '2100-01-01T00:00:00.000Z' })));
    expect(channels.list.getSnapshot()[0]?.cid).toBe(CID);
    expect(channels.list.getSnapshot()).not.toBe(before);
    expect(channels.unreadTotal.getSnapshot()).toBe(6);
    channels.handleEvent({
      type: 'message.read',
      cid: 'messaging:old',
      seq: 3,
      created_at: T0,
      user: { id: 'alice', name: null, image: null, online: true },
      last_read_message_id: null,
    });
    expect(channels.unreadTotal.getSnapshot()).toBe(3);
  });

  it("takes a watched channel's unread count from its live state, not from an older query", async () => {
    const connection = {
      request: vi.fn(async () => ({
        recovered: false,
        events: [],
        watcher_count: 1,
        state: serverState(2, []),
      })),
    };
    const request = vi.fn();
    const channels = new Channels({
      connection: connection as unknown as ConnectionManager,
      http: { request } as unknown as HttpClient,
      env: resolveEnvironment({}),
      userId: () => 'alice',
    });
    await channels.channel('messaging', 'trip').watch(); // read: unread 0
    const stale = serverState(2, []);
    request.mockResolvedValueOnce({
      channels: [{ ...stale, membership: stale.membership && { ...stale.membership, unread_count: 4 } }],
      next_cursor: null,
    });
    await channels.query();
    expect(channels.list.getSnapshot()[0]?.unreadCount).toBe(0);
  });

  it('adds a channel the user was added to', () => {
    const { channels } = setup();
    const state = serverState(1, []);
    channels.handleEvent({
      type: 'notification.added_to_channel',
      cid: CID,
      seq: 1,
      created_at: T0,
      channel: state.channel,
      member: state.members[0]!,
    });
    expect(channels.list.getSnapshot().map((e) => e.cid)).toEqual([CID]);
  });
});
