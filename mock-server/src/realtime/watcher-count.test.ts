import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { WatcherCounter } from './watcher-count';
import { createMemoryWatchers, type WatcherStore } from './watcher-store';

/** A memory store whose writes wait until released, recording each batch of changes. */
function heldStore() {
  const inner = createMemoryWatchers();
  const batches: [string, boolean][][] = [];
  const release: (() => void)[] = [];
  const store: WatcherStore = {
    ...inner,
    async apply(channelId, changes) {
      batches.push([...changes]);
      await new Promise<void>((resolve) => release.push(resolve));
      await inner.apply(channelId, changes);
    },
  };
  return { store, batches, release };
}

const channel = { appId: 'a', channelId: 'c1', cid: 'messaging:c1' };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WatcherCounter', () => {
  it('writes the changes made while a write is in flight as one batch, in order, and counts after them', async () => {
    const { store, batches, release } = heldStore();
    const counter = new WatcherCounter(store, {
      throttleMs: 60_000,
      announce: () => {},
      logger: pino({ level: 'silent' }),
    });
    counter.watched(channel, 'u1');
    await tick();
    // While u1's write is held, a crowd arrives (and u2 changes their mind twice).
    counter.watched(channel, 'u2');
    counter.watched(channel, 'u3');
    counter.unwatched('c1', 'u2');
    counter.watched(channel, 'u2');
    counter.watched(channel, 'u4');
    const count = counter.count('c1');
    expect(batches).toEqual([[['u1', true]]]);
    release.shift()!();
    await tick();
    expect(batches).toEqual([
      [['u1', true]],
      [
        ['u2', true],
        ['u3', true],
        ['u4', true],
      ],
    ]);
    release.shift()!();
    expect(await count).toBe(4);
    // Stopping after the batch is a new write.
    counter.unwatched('c1', 'u3');
    await tick();
    release.shift()!();
    expect(await counter.count('c1')).toBe(3);
    counter.close();
  });
});
