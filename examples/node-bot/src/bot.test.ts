import type { Channel, ChatClient } from '@chat/core';
import { describe, expect, it, vi } from 'vitest';
import { createBot } from './bot';

type Listener = (event: { cid: string; message: Record<string, unknown> }) => void;

/** Just enough of a client and a channel to drive the bot by hand. */
function fakes() {
  const listeners = new Set<Listener>();
  const client = {
    userId: 'bot',
    on: (_type: string, listener: Listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const channel = {
    cid: 'team:general',
    watch: vi.fn(async () => ({})),
    unwatch: vi.fn(async () => {}),
    sendMessage: vi.fn(async (input: object) => input),
  };
  let n = 0;
  const deliver = (fields: Record<string, unknown>, cid = 'team:general') => {
    const message = { id: `m${++n}`, type: 'regular', user_id: 'alice', parent_id: null, ...fields };
    for (const listener of listeners) listener({ cid, message });
    return message;
  };
  const bot = createBot({
    client: client as unknown as ChatClient,
    channel: channel as unknown as Channel,
    log: { info: () => {}, error: () => {} },
    random: () => 0,
  });
  return { bot, channel, deliver, listeners };
}

describe('createBot', () => {
  it('answers a command with a quoted reply, a thread command in its thread', async () => {
    const { bot, channel, deliver } = fakes();
    await bot;
    expect(channel.watch).toHaveBeenCalled();
    const top = deliver({ text: '/echo hi' });
    deliver({ text: '/roll', parent_id: 'p1' });
    expect(channel.sendMessage.mock.calls).toEqual([
      [{ text: 'hi', quotedMessageId: top.id }],
      [{ text: '🎲 1d6: 1', parentId: 'p1' }],
    ]);
  });

  it('skips its own messages, other channels, non-commands, system messages and repeats', async () => {
    const { bot, channel, deliver } = fakes();
    await bot;
    deliver({ text: '/echo me', user_id: 'bot' });
    deliver({ text: '/echo elsewhere' }, 'team:random');
    deliver({ text: 'hello' });
    deliver({ text: '/echo system', type: 'system' });
    const once = deliver({ text: '/echo once' });
    deliver({ ...once }); // delivered again, as after a reconnect
    await Promise.resolve();
    expect(channel.sendMessage.mock.calls).toEqual([[{ text: 'once', quotedMessageId: once.id }]]);
  });

  it('tries again on redelivery when a reply failed', async () => {
    const { bot, channel, deliver } = fakes();
    await bot;
    channel.sendMessage.mockRejectedValueOnce(new Error('offline'));
    const message = deliver({ text: '/echo again' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    deliver({ ...message });
    expect(channel.sendMessage).toHaveBeenCalledTimes(2);
  });

  it('stops listening and unwatches on stop()', async () => {
    const { bot, channel, deliver, listeners } = fakes();
    await (await bot).stop();
    expect(listeners.size).toBe(0);
    expect(channel.unwatch).toHaveBeenCalled();
    deliver({ text: '/echo late' });
    expect(channel.sendMessage).not.toHaveBeenCalled();
  });
});
