import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { message, serverState } from '../test/channel-fixtures';
import { Channel, UNWATCH_GRACE_MS } from './channel';
import type { ChannelContext } from './channel-context';
import type { ConnectionManager } from './connection/connection-manager';
import { resolveEnvironment } from './environment';
import { NetworkError } from './errors';
import type { HttpClient } from './http-client';
import { createStore } from './store';

function setup() {
  const request = vi.fn(async (frame: { type: string }) =>
    frame.type === 'channel.watch'
      ? { recovered: false, events: [], state: serverState(2, [message(1), message(2)]) }
      : {},
  );
  const connection = {
    request,
    state: createStore({ status: 'connected', attempt: 0 }),
  } as unknown as ConnectionManager;
  const ctx: ChannelContext = {
    connection,
    http: {} as HttpClient,
    env: resolveEnvironment({}),
    userId: () => 'alice',
    onUnreadChanged: vi.fn(),
    onMessageSent: vi.fn(),
  };
  const channel = new Channel('messaging', 'trip', ctx);
  const frames = (type: string) => request.mock.calls.filter(([f]) => f.type === type).length;
  return { channel, request, frames };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Channel.retainWatch', () => {
  it('watches once for many holders and unwatches after the last release and the grace period', async () => {
    const { channel, frames } = setup();
    const releaseA = channel.retainWatch();
    const releaseB = channel.retainWatch();
    await vi.runAllTicks();
    await Promise.resolve();
    expect(frames('channel.watch')).toBe(1);
    expect(channel.isWatching).toBe(true);
    releaseA();
    releaseA(); // a second call of the same release changes nothing
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS * 2);
    expect(frames('channel.unwatch')).toBe(0);
    releaseB();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS - 1);
    expect(frames('channel.unwatch')).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(frames('channel.unwatch')).toBe(1);
    expect(channel.isWatching).toBe(false);
  });

  it('a remount within the grace period (StrictMode) keeps the one watch: no unwatch, no second watch', async () => {
    const { channel, frames } = setup();
    const first = channel.retainWatch();
    first();
    const second = channel.retainWatch();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS * 3);
    expect(frames('channel.watch')).toBe(1);
    expect(frames('channel.unwatch')).toBe(0);
    second();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS);
    expect(frames('channel.unwatch')).toBe(1);
  });

  it('a failed watch shows in state.error, and a later successful load clears it', async () => {
    const { channel, request } = setup();
    request.mockRejectedValueOnce(new NetworkError({ code: 'network_error', message: 'down' }));
    const release = channel.retainWatch();
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.state.getSnapshot().error?.message).toBe('down');
    expect(channel.state.getSnapshot().loading).toBe(false);
    await channel.watch();
    expect(channel.state.getSnapshot().error).toBeNull();
    expect(channel.state.getSnapshot().messages).toHaveLength(2);
    release();
  });
});
