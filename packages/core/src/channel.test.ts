import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CID, message, newMessage, serverState, typing } from '../test/channel-fixtures';
import { Channel } from './channel';
import type { ChannelContext } from './channel-context';
import type { ConnectionManager } from './connection/connection-manager';
import { resolveEnvironment } from './environment';
import { NetworkError } from './errors';
import type { HttpClient } from './http-client';
import { createStore } from './store';
import { TYPING_EXPIRY_MS } from './typing-indicator';

function setup() {
  const request = vi.fn();
  const connection = {
    request,
    state: createStore({ status: 'connected', attempt: 0 }),
  } as unknown as ConnectionManager;
  let uuid = 0;
  const ctx: ChannelContext = {
    connection,
    http: {} as HttpClient,
    env: resolveEnvironment({ randomUUID: () => `uuid-${++uuid}` }),
    userId: () => 'alice',
    onUnreadChanged: vi.fn(),
    onMessageSent: vi.fn(),
  };
  return { channel: new Channel('messaging', 'trip', ctx), request, ctx };
}

const watchResult = (
  seq: number,
  messages = [message(1), message(2)],
  recovered = false,
  events: unknown[] = [],
) => ({
  recovered,
  events,
  state: serverState(seq, messages),
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Channel', () => {
  it('watches: loads state; identity stays while nothing changes; subscribing does not emit', async () => {
    const { channel, request } = setup();
    request.mockResolvedValueOnce(watchResult(2));
    const listener = vi.fn();
    channel.state.subscribe(listener);
    expect(listener).not.toHaveBeenCalled();
    await channel.watch();
    expect(request).toHaveBeenCalledWith(expect.objectContaining({ type: 'channel.watch', cid: CID }));
    expect(request.mock.calls[0]?.[0].since).toBeUndefined();
    const snapshot = channel.state.getSnapshot();
    expect(channel.state.getSnapshot()).toBe(snapshot);
    expect(snapshot.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    listener.mockClear();
    channel.handleEvent(newMessage(message(2)));
    expect(listener).not.toHaveBeenCalled();
    expect(channel.state.getSnapshot()).toBe(snapshot);
  });

  it('resyncs with since on a gap, applies the replay, then what arrived meanwhile', async () => {
    const { channel, request } = setup();
    request.mockResolvedValueOnce(watchResult(2));
    await channel.watch();
    let answer: (value: unknown) => void = () => {};
    request.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    channel.handleEvent(newMessage(message(4)));
    expect(request).toHaveBeenLastCalledWith(expect.objectContaining({ type: 'channel.watch', since: 2 }));
    channel.handleEvent(newMessage(message(5)));
    channel.handleEvent(newMessage(message(4))); // a duplicate while resyncing
    answer(watchResult(5, [], true, [newMessage(message(3)), newMessage(message(4))]));
    await vi.advanceTimersByTimeAsync(0);
    const state = channel.state.getSnapshot();
    expect(state.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(state.lastSeq).toBe(5);
    expect(state.loading).toBe(false);
  });

  it('replaces the state when the server cannot replay (recovered: false)', async () => {
    const { channel, request } = setup();
    request.mockResolvedValueOnce(watchResult(2));
    await channel.watch();
    request.mockResolvedValueOnce(watchResult(2000, [message(1999), message(2000)]));
    await channel.resync();
    expect(channel.state.getSnapshot().messages.map((m) => m.id)).toEqual(['m1999', 'm2000']);
    expect(channel.state.getSnapshot().lastSeq).toBe(2000);
  });

  it('sends optimistically; a failure leaves it failed; retry sends the same client_msg_id', async () => {
    const { channel, request, ctx } = setup();
    request.mockResolvedValueOnce(watchResult(2));
    await channel.watch();
    request.mockRejectedValueOnce(new NetworkError({ code: 'not_connected', message: 'Offline' }));
    const sending = channel.sendMessage({ text: 'hello' });
    expect(channel.state.getSnapshot().messages.at(-1)).toMatchObject({ id: 'uuid-1', status: 'sending' });
    await expect(sending).rejects.toBeInstanceOf(NetworkError);
    expect(channel.state.getSnapshot().messages.at(-1)).toMatchObject({ id: 'uuid-1', status: 'failed' });

    const stored = message(3, { id: 'real', client_msg_id: 'uuid-1', user_id: 'alice', text: 'hello' });
    request.mockResolvedValueOnce({ message: stored });
    const retried = channel.retryMessage('uuid-1');
    expect(channel.state.getSnapshot().messages.at(-1)?.status).toBe('sending');
    await expect(retried).resolves.toMatchObject({ id: 'real', status: 'sent' });
    expect(request).toHaveBeenLastCalledWith({
      type: 'message.send',
      cid: CID,
      message: { client_msg_id: 'uuid-1', text: 'hello' },
    });
    expect(channel.state.getSnapshot().messages.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'sent'],
      ['m2', 'sent'],
      ['real', 'sent'],
    ]);
    expect(ctx.onMessageSent).toHaveBeenCalledWith(stored);
    // The echo of our own message does not duplicate it.
    channel.handleEvent(newMessage(stored));
    expect(channel.state.getSnapshot().messages).toHaveLength(3);
  });

  it('discards a failed message', async () => {
    const { channel, request } = setup();
    request.mockRejectedValueOnce(new NetworkError({ code: 'not_connected', message: 'Offline' }));
    await channel.sendMessage({ text: 'lost' }).catch(() => {});
    channel.discardMessage('uuid-1');
    expect(channel.state.getSnapshot().messages).toEqual([]);
    await expect(channel.retryMessage('uuid-1')).rejects.toThrow();
  });

  it('throttles typing.start and expires typists locally', async () => {
    const { channel, request } = setup();
    request.mockResolvedValue({});
    channel.startTyping();
    channel.startTyping();
    expect(request.mock.calls.filter(([f]) => f.type === 'typing.start')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_500);
    channel.startTyping();
    expect(request.mock.calls.filter(([f]) => f.type === 'typing.start')).toHaveLength(2);
    channel.stopTyping();
    expect(request).toHaveBeenLastCalledWith({ type: 'typing.stop', cid: CID });

    channel.handleEvent(typing('typing.start', 0));
    expect(channel.state.getSnapshot().typing.bob).toBeDefined();
    await vi.advanceTimersByTimeAsync(TYPING_EXPIRY_MS);
    expect(channel.state.getSnapshot().typing.bob).toBeUndefined();
  });
});
