import type { ChatEvent } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { getTestStore } from './harness';
import { createChannel } from './rest-helpers';
import { appOn, closeSockets, sleep } from './ws-fixtures';

/** How many users watch a channel: in the watch ack, and announced (coalesced) as it changes. */

const THROTTLE_MS = 150;

let server: ChatServer;
beforeAll(async () => {
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    realtime: { watchersThrottleMs: THROTTLE_MS },
  });
});
afterAll(() => server?.close());
afterEach(closeSockets);

const watchersAre = (cid: string, n: number) => (e: ChatEvent) =>
  e.type === 'channel.watchers' && e.cid === cid && e.watcher_count === n;

describe('watcher counts', () => {
  it('counts users (not sockets) in the ack, and announces changes to the watchers', async () => {
    const app = await appOn(server);
    const [alice] = await app.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'room', ['bob', 'carol']);
    const a = await app.connect('alice');
    const b1 = await app.connect('bob');
    const b2 = await app.connect('bob');
    expect((await a.ok({ type: 'channel.watch', cid })).watcher_count).toBe(1);
    expect((await b1.ok({ type: 'channel.watch', cid })).watcher_count).toBe(2);
    // bob's second tab: still two users.
    expect((await b2.ok({ type: 'channel.watch', cid })).watcher_count).toBe(2);
    await a.waitFor(watchersAre(cid, 2));

    // One of bob's tabs stops watching: bob still watches.
    await b1.ok({ type: 'channel.unwatch', cid });
    await sleep(THROTTLE_MS * 3);
    expect(a.events.filter((e) => e.type === 'channel.watchers').at(-1)).toMatchObject({ watcher_count: 2 });

    // Both gone: one user left. The event carries the channel's seq without taking one.
    b2.close();
    const event = await a.waitFor(watchersAre(cid, 1));
    const { state } = await a.ok({ type: 'channel.watch', cid });
    expect(event).toMatchObject({ seq: state.channel.seq });
  });

  it('coalesces a burst of watches into few announcements', async () => {
    const app = await appOn(server);
    const users = Array.from({ length: 12 }, (_, i) => `u${i}`);
    const [owner] = await app.users('owner', ...users);
    const cid = await createChannel(owner!, 'burst', users);
    const o = await app.connect('owner');
    await o.ok({ type: 'channel.watch', cid });
    await sleep(THROTTLE_MS * 2);
    const before = o.events.filter((e) => e.type === 'channel.watchers').length;
    const sockets = await Promise.all(users.map((u) => app.connect(u)));
    const startedAt = Date.now();
    await Promise.all(sockets.map((s) => s.ok({ type: 'channel.watch', cid })));
    await o.waitFor(watchersAre(cid, 13));
    const elapsed = Date.now() - startedAt;
    await sleep(THROTTLE_MS * 3);
    const announcements = o.events.filter((e) => e.type === 'channel.watchers').length - before;
    // At most one per throttle period while the watches came in (and one after), never one each.
    expect(announcements).toBeGreaterThanOrEqual(1);
    expect(announcements).toBeLessThanOrEqual(Math.ceil(elapsed / THROTTLE_MS) + 1);
    expect(announcements).toBeLessThan(users.length);
  });

  it('a member removed from the channel stops counting', async () => {
    const app = await appOn(server);
    const [alice] = await app.users('alice', 'bob');
    const cid = await createChannel(alice!, 'removal', ['bob']);
    const a = await app.connect('alice');
    const b = await app.connect('bob');
    await a.ok({ type: 'channel.watch', cid });
    expect((await b.ok({ type: 'channel.watch', cid })).watcher_count).toBe(2);
    const [type, id] = cid.split(':');
    await alice!.post(`/v1/channels/${type}/${id}/members/remove`, { user_ids: ['bob'] });
    await a.waitFor(watchersAre(cid, 1));
  });
});
