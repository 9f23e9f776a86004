import type { ChatClient } from '@chat/core';
import { describe, expect, it, vi } from 'vitest';
import { type ReactionRef, ReactorsStore } from './reactors-store';

type Listener = (event: { message: { id: string }; reaction: ReactionRef }) => void;

/** Just what the store uses of a client: `on`, with a way to emit. */
function fakeClient() {
  const listeners = new Map<string, Set<Listener>>();
  const client = {
    on(type: string, listener: Listener) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
      return () => listeners.get(type)!.delete(listener);
    },
  };
  const emit = (type: 'reaction.new' | 'reaction.deleted', messageId: string, reaction: ReactionRef) => {
    for (const listener of listeners.get(type) ?? []) listener({ message: { id: messageId }, reaction });
  };
  return {
    client: client as unknown as ChatClient,
    emit,
    listening: () => listeners.get('reaction.new')?.size ?? 0,
  };
}

describe('ReactorsStore', () => {
  it('learns who reacted from live events while watched, newest first', () => {
    const { client, emit, listening } = fakeClient();
    const store = new ReactorsStore(client);
    const releases = [store.watch(), store.watch()];
    expect(listening()).toBe(1);
    emit('reaction.new', 'm1', { type: '🎉', user_id: 'bob' });
    emit('reaction.new', 'm1', { type: '🎉', user_id: 'ann' });
    emit('reaction.new', 'm1', { type: '👍', user_id: 'bob' });
    expect(store.get('m1').byType).toEqual({ '🎉': ['ann', 'bob'], '👍': ['bob'] });
    emit('reaction.deleted', 'm1', { type: '🎉', user_id: 'ann' });
    expect(store.get('m1').byType['🎉']).toEqual(['bob']);

    for (const release of releases) release();
    expect(listening()).toBe(0);
    emit('reaction.new', 'm1', { type: '🎉', user_id: 'cy' });
    expect(store.get('m1').byType['🎉']).toEqual(['bob']);
  });

  it('loads a message once, keeps the answer current, and asks again only after a failure', async () => {
    const { client, emit } = fakeClient();
    const store = new ReactorsStore(client);
    const release = store.watch();
    const loader = vi
      .fn<(id: string) => Promise<ReactionRef[]>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValue([
        { type: '🎉', user_id: 'bob' },
        { type: '🎉', user_id: 'ann' },
      ]);
    const before = store.get('m1');
    store.load('m1', loader);
    expect(store.get('m1').status).toBe('loading');
    expect(store.get('m1')).not.toBe(before);
    await vi.waitFor(() => expect(store.get('m1').status).toBe('failed'));

    store.load('m1', loader);
    store.load('m1', loader);
    await vi.waitFor(() => expect(store.get('m1').status).toBe('loaded'));
    expect(loader).toHaveBeenCalledTimes(2);
    expect(store.get('m1').byType).toEqual({ '🎉': ['bob', 'ann'] });

    store.load('m1', loader);
    expect(loader).toHaveBeenCalledTimes(2);
    emit('reaction.new', 'm1', { type: '🎉', user_id: 'cy' });
    expect(store.get('m1')).toEqual({ status: 'loaded', byType: { '🎉': ['cy', 'bob', 'ann'] } });
    release();
  });
});
