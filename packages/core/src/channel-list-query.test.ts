import { describe, expect, it, vi } from 'vitest';
import { channel as channelOf } from '../test/channel-fixtures';
import { ChannelListQuery } from './channel-list-query';
import { NetworkError } from './errors';
import type { ChannelListEntry } from './state/channel-list';
import { createStore } from './store';

const entry = (id: string, type: 'messaging' | 'team' = 'messaging'): ChannelListEntry => ({
  cid: `${type}:${id}`,
  channel: { ...channelOf(1), cid: `${type}:${id}`, id, type },
  lastMessage: null,
  unreadCount: 0,
});

function setup(pages: (string | null)[]) {
  const list = createStore<readonly ChannelListEntry[]>([]);
  const fetchPage = vi.fn(async (input: { cursor?: string }) => {
    const nextCursor = pages.shift() ?? null;
    list.setState((l) => [...l, entry(`c${input.cursor ?? 0}`)]);
    return { nextCursor };
  });
  return { list, fetchPage };
}

describe('ChannelListQuery', () => {
  it('fetches nothing until reload, then pages with the cursor until there are no more', async () => {
    const { list, fetchPage } = setup(['1', null]);
    const query = new ChannelListQuery({ limit: 1 }, list, fetchPage);
    expect(fetchPage).not.toHaveBeenCalled();
    expect(query.state.getSnapshot()).toMatchObject({ entries: [], loading: false, hasMore: true });
    const loading = query.reload();
    expect(query.state.getSnapshot().loading).toBe(true);
    await loading;
    expect(query.state.getSnapshot()).toMatchObject({ loading: false, hasMore: true, error: null });
    await Promise.all([query.loadMore(), query.loadMore()]); // single flight
    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(fetchPage.mock.calls[1]?.[0]).toEqual({ limit: 1, cursor: '1' });
    expect(query.state.getSnapshot().hasMore).toBe(false);
    await query.loadMore();
    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(query.state.getSnapshot().entries.map((e) => e.cid)).toEqual(['messaging:c0', 'messaging:c1']);
  });

  it('keeps the snapshot identity while nothing it shows changes, and filters by type', async () => {
    const { list, fetchPage } = setup([null]);
    const query = new ChannelListQuery({ filter: { type: 'team' } }, list, fetchPage);
    await query.reload();
    const before = query.state.getSnapshot();
    const listener = vi.fn();
    query.state.subscribe(listener);
    list.setState((l) => [...l, entry('dm')]); // a messaging channel: not in this list
    expect(query.state.getSnapshot()).toBe(before);
    expect(listener).not.toHaveBeenCalled();
    list.setState((l) => [...l, entry('general', 'team')]);
    expect(query.state.getSnapshot().entries.map((e) => e.cid)).toEqual(['team:general']);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('reports a failed fetch in state.error and clears it on the next success', async () => {
    const { list, fetchPage } = setup([null]);
    fetchPage.mockRejectedValueOnce(new NetworkError({ code: 'network_error', message: 'offline' }));
    const query = new ChannelListQuery({}, list, fetchPage);
    await expect(query.reload()).rejects.toThrow('offline');
    expect(query.state.getSnapshot()).toMatchObject({ loading: false });
    expect(query.state.getSnapshot().error?.code).toBe('network_error');
    await query.reload();
    expect(query.state.getSnapshot().error).toBeNull();
  });
});
