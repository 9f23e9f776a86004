import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer, until } from '../../test/e2e-harness';
import { UNWATCH_GRACE_MS } from '../channel';
import { ChatClient } from '../client';

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;
let bob: Awaited<ReturnType<typeof connectClient>>;

beforeAll(async () => {
  h = await startServer();
  alice = await connectClient(h, 'alice');
  bob = await connectClient(h, 'bob');
}, 60_000);

afterAll(async () => {
  await alice?.client.disconnect();
  await bob?.client.disconnect();
  await h?.server.close();
});

describe('what views build on, against the reference server', () => {
  it('paginates the channel list and keeps it live', async () => {
    for (const id of ['p1', 'p2', 'p3'])
      await alice.client.channels.create({ type: 'messaging', id, members: ['alice', 'bob'] });
    const list = alice.client.channels.paginate({ sort: { last_message_at: -1 }, limit: 2 });
    await list.reload();
    expect(list.state.getSnapshot()).toMatchObject({ hasMore: true, loading: false, error: null });
    expect(list.state.getSnapshot().entries).toHaveLength(2);
    await list.loadMore();
    expect(
      list.state
        .getSnapshot()
        .entries.map((e) => e.cid)
        .sort(),
    ).toEqual(['messaging:p1', 'messaging:p2', 'messaging:p3']);
    expect(list.state.getSnapshot().hasMore).toBe(false);

    await bob.client.channel('messaging', 'p1').sendMessage({ text: 'to the top' });
    const moved = await until(list.state, (s) => s.entries[0]?.cid === 'messaging:p1');
    expect(moved.entries[0]).toMatchObject({ unreadCount: 1, lastMessage: { text: 'to the top' } });
  });

  it('knows the presence of channel members once the channel is loaded', async () => {
    const carol = await connectClient(h, 'carol');
    const channel = await alice.client.channels.create({
      type: 'messaging',
      id: 'presence',
      members: ['alice', 'carol'],
    });
    // Alice never queried carol nor got a presence event: the member list told her.
    expect(alice.client.users.isOnline('carol')).toBe(true);
    await carol.client.disconnect();
    await channel.watch();
    await until(alice.client.users.presence, (p) => p.carol === false, 15_000);
  }, 30_000);

  it('counts the users watching a channel, live', async () => {
    const aliceChannel = alice.client.channel('messaging', 'p3');
    const bobChannel = bob.client.channel('messaging', 'p3');
    await aliceChannel.watch();
    expect(aliceChannel.state.getSnapshot().watcherCount).toBe(1);
    await bobChannel.watch();
    expect(bobChannel.state.getSnapshot().watcherCount).toBe(2);
    await until(aliceChannel.state, (s) => s.watcherCount === 2);
    await bobChannel.unwatch();
    await until(aliceChannel.state, (s) => s.watcherCount === 1);
    await aliceChannel.unwatch();
  });

  it('a channel retained before the first connection is watched once connected', async () => {
    const carol = new ChatClient({ apiKey: h.apiKey, baseUrl: h.server.url });
    await alice.client.channels.create({ type: 'messaging', id: 'early', members: ['alice', 'carol'] });
    const channel = carol.channel('messaging', 'early');
    const release = channel.retainWatch(); // a view mounted before connect()
    await carol.connect({ id: 'carol' }, () => h.token('carol'));
    await until(channel.state, (s) => s.channel !== null && !s.loading && s.error === null);
    await alice.client.channel('messaging', 'early').sendMessage({ text: 'seen live' });
    await until(channel.state, (s) => s.messages.some((m) => m.text === 'seen live'));
    release();
    await carol.disconnect();
  });

  it('retainWatch: two holders share one watch; events stop after the last release', async () => {
    const channel = alice.client.channel('messaging', 'p2');
    const releases = [channel.retainWatch(), channel.retainWatch()];
    await until(channel.state, (s) => s.channel !== null && !s.loading);
    expect(channel.isWatching).toBe(true);
    for (const release of releases) release();
    await new Promise((resolve) => setTimeout(resolve, UNWATCH_GRACE_MS + 200));
    expect(channel.isWatching).toBe(false);
    const before = channel.state.getSnapshot().messages.length;
    await bob.client.channel('messaging', 'p2').sendMessage({ text: 'not seen live' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.state.getSnapshot().messages.length).toBe(before);
  });
});
