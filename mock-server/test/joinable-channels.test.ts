import { describe, expect, it } from 'vitest';
import { type Api, newTestApp } from './api';
import { channelPath, createChannel, expectInvalid, send, usersOf } from './rest-helpers';

/**
 * `filter.joinable`: a "browse" list of the public channels (types anyone of the app may join,
 * e.g. `livestream`) the caller is not in, instead of the caller's own channels.
 */

interface ChannelState {
  channel: { cid: string };
  membership: unknown;
  messages: { text: string }[];
}
const cidsOf = (states: ChannelState[]) => states.map((s) => s.channel.cid);

const live = (api: Api, id: string, members: string[] = []) =>
  createChannel(api, id, members, { type: 'livestream' });

async function joinable(api: Api, body: Record<string, unknown> = {}) {
  const { filter, ...rest } = body as { filter?: Record<string, unknown> };
  const reply = await api.post('/v1/channels/query', {
    sort: { created_at: 1 },
    ...rest,
    filter: { ...filter, joinable: true },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as { channels: ChannelState[]; next_cursor: string | null };
}

describe('POST /v1/channels/query with filter.joinable', () => {
  it('lists public channels the caller is not in: not joined, banned, deleted or private ones', async () => {
    const t = await newTestApp();
    const [alice, bob, carol] = await usersOf(t, 'alice', 'bob', 'carol');
    const open = await live(bob, 'open');
    const mine = await live(alice, 'mine');
    const banned = await live(bob, 'banned');
    expect((await alice.post(`${channelPath(banned)}/members`, { user_ids: ['alice'] })).status).toBe(200);
    expect((await bob.post(`${channelPath(banned)}/bans`, { user_id: 'alice' })).status).toBe(200);
    const gone = await live(bob, 'gone');
    await bob.delete(channelPath(gone));
    // Private types: never offered, whoever is in them.
    await createChannel(bob, 'dm', ['carol']);
    await createChannel(bob, 'team', [], { type: 'team' });

    const forAlice = await joinable(alice);
    expect(cidsOf(forAlice.channels)).toEqual([open]);
    expect(forAlice.next_cursor).toBeNull();
    // Shown as to a watcher who is not a member.
    expect(forAlice.channels[0]!.membership).toBeNull();
    expect(cidsOf((await joinable(bob)).channels)).toEqual([mine]);
    expect(cidsOf((await joinable(carol)).channels)).toEqual([open, mine, banned]);

    // Joining takes a channel off the list and onto the caller's own.
    expect((await alice.post(`${channelPath(open)}/members`, { user_ids: ['alice'] })).status).toBe(200);
    expect((await joinable(alice)).channels).toEqual([]);
    const own = await alice.post('/v1/channels/query', { sort: { created_at: 1 } });
    expect(cidsOf(own.body.channels)).toEqual([open, mine]);
    // Leaving puts it back.
    expect((await alice.post(`${channelPath(open)}/members/remove`, { user_ids: ['alice'] })).status).toBe(
      200,
    );
    expect(cidsOf((await joinable(alice)).channels)).toEqual([open]);
  });

  it('server-side calls browse every public channel of the app; app admins only public ones too', async () => {
    const t = await newTestApp();
    const [bob] = await usersOf(t, 'bob');
    await t.server.post('/v1/users', { users: [{ id: 'root', role: 'admin' }] });
    const root = await t.user('root');
    const a = await live(bob, 'a');
    const b = await live(bob, 'b');
    await createChannel(bob, 'dm');
    expect(cidsOf((await joinable(t.server)).channels)).toEqual([a, b]);
    expect(cidsOf((await joinable(root)).channels)).toEqual([a, b]);
  });

  it('pages with the cursor, in every sort, with no gap and no duplicate', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cids = await Promise.all(Array.from({ length: 7 }, (_, i) => live(bob, `live-${i}`)));
    await live(alice, 'joined');
    for (const cid of [cids[2]!, cids[5]!]) await send(bob, cid, 'bump');

    for (const sort of [
      { created_at: 1 },
      { created_at: -1 },
      { last_message_at: -1 },
      { last_message_at: 1 },
    ]) {
      const full = cidsOf((await joinable(alice, { sort, limit: 100 })).channels);
      expect(new Set(full)).toEqual(new Set(cids));
      const pages: string[][] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page = await joinable(alice, { sort, limit: 3, message_limit: 0, ...(cursor && { cursor }) });
        pages.push(cidsOf(page.channels));
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      expect(
        pages.map((p) => p.length),
        JSON.stringify(sort),
      ).toEqual([3, 3, 1]);
      expect(pages.flat(), JSON.stringify(sort)).toEqual(full);
    }
  });

  it('combines with the other filters and message_limit', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob', 'carol');
    const quiet = await live(bob, 'quiet');
    const busy = await live(bob, 'busy', ['carol']);
    await send(bob, busy, 'one');
    await send(bob, busy, 'two');
    const frozen = await live(bob, 'frozen');
    await bob.post(`${channelPath(frozen)}/freeze`);

    const filtered = async (filter: Record<string, unknown>) =>
      cidsOf((await joinable(alice, { filter })).channels);
    expect(await filtered({ type: 'livestream' })).toEqual([quiet, busy, frozen]);
    expect(await filtered({ type: ['team', 'livestream'] })).toEqual([quiet, busy, frozen]);
    expect(await filtered({ type: 'messaging' })).toEqual([]);
    expect(await filtered({ type: 'team' })).toEqual([]);
    expect(await filtered({ frozen: true })).toEqual([frozen]);
    expect(await filtered({ frozen: false })).toEqual([quiet, busy]);
    expect(await filtered({ members: ['carol'] })).toEqual([busy]);
    expect(await filtered({ last_message_at: { gt: '2000-01-01T00:00:00Z' } })).toEqual([busy]);

    const withMessages = await joinable(alice, { filter: { members: ['carol'] }, message_limit: 1 });
    expect(withMessages.channels[0]!.messages.map((m) => m.text)).toEqual(['two']);
    expectInvalid(await alice.post('/v1/channels/query', { filter: { joinable: false } }), [
      'filter',
      'joinable',
    ]);
  });

  it("never offers another app's public channels", async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const ours = await live(bob, 'ours');
    await send(bob, ours, 'said in the first app');
    const other = await newTestApp();
    const [theirBob] = await usersOf(other, 'bob');
    await live(theirBob, 'theirs');
    // Same id as one of ours: theirs must not shadow or join it.
    await live(theirBob, 'ours');
    const [theirAlice] = await usersOf(other, 'alice');

    expect(cidsOf((await joinable(alice)).channels)).toEqual([ours]);
    expect(cidsOf((await joinable(t.server)).channels)).toEqual([ours]);
    expect(cidsOf((await joinable(theirAlice)).channels)).toEqual(['livestream:theirs', 'livestream:ours']);
    expect(JSON.stringify(await joinable(theirAlice, { message_limit: 100 }))).not.toContain(
      'said in the first app',
    );
  });
});
