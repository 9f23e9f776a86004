import type { Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { type Api, clientId, newTestApp } from './api';
import {
  channelPath,
  createChannel,
  expectError,
  expectInvalid,
  expectUnknownKey,
  ids,
  send,
  usersOf,
} from './rest-helpers';

interface ChannelState {
  channel: { cid: string; id: string };
}
const cidsOf = (states: ChannelState[]) => states.map((s) => s.channel.cid);
const memberIds = (members: { user_id: string }[]) => members.map((m) => m.user_id).sort();

/** Every channel a user's query returns, following next_cursor. */
async function queryAll(api: Api, body: Record<string, unknown>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const reply = await api.post('/v1/channels/query', { ...body, ...(cursor && { cursor }) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    pages.push(cidsOf(reply.body.channels));
    if (!reply.body.next_cursor) return pages;
    cursor = reply.body.next_cursor;
  }
  throw new Error('pagination did not end');
}

describe('POST /v1/channels (create)', () => {
  it('creates a channel with an id and returns its full state', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice', 'bob');
    const created = await alice.post('/v1/channels', {
      type: 'messaging',
      id: 'trip',
      name: 'Trip',
      image: 'https://img.example/trip.png',
      members: ['bob'],
      custom: { color: 'blue' },
    });
    expect(created.status).toBe(201);
    const { channel, members, messages, read, membership, draft } = created.body;
    expect(channel).toMatchObject({
      cid: 'messaging:trip',
      type: 'messaging',
      id: 'trip',
      name: 'Trip',
      image: 'https://img.example/trip.png',
      custom: { color: 'blue' },
      created_by: 'alice',
      member_count: 2,
      frozen: false,
      last_message_at: null,
      deleted_at: null,
      truncated_at: null,
    });
    expect(channel.seq).toBeGreaterThan(0);
    expect(memberIds(members)).toEqual(['alice', 'bob']);
    expect(members.find((m: { user_id: string }) => m.user_id === 'alice')).toMatchObject({
      role: 'admin',
      user: { id: 'alice', name: 'ALICE' },
    });
    expect(members.find((m: { user_id: string }) => m.user_id === 'bob')).toMatchObject({ role: 'member' });
    expect(messages).toEqual([]);
    expect(read.map((r: { user_id: string }) => r.user_id).sort()).toEqual(['alice', 'bob']);
    expect(read.every((r: { unread_count: number }) => r.unread_count === 0)).toBe(true);
    expect(membership).toMatchObject({ user_id: 'alice', role: 'admin', unread_count: 0 });
    expect(draft).toBeNull();

    // Creating the same id again returns the existing channel, unchanged.
    const again = await alice.post('/v1/channels', { type: 'messaging', id: 'trip', name: 'Other' });
    expect(again.body.channel).toMatchObject({
      cid: 'messaging:trip',
      name: 'Trip',
      created_at: channel.created_at,
    });
  });

  it('creates the distinct channel of a member list: the same people always get the same channel', async () => {
    const t = await newTestApp();
    const [alice, bob, carol] = await usersOf(t, 'alice', 'bob', 'carol');
    const first = await alice.post('/v1/channels', { type: 'messaging', members: ['alice', 'bob'] });
    expect(first.status).toBe(201);
    const cid = first.body.channel.cid;
    expect(cid).toMatch(/^messaging:!members-/);
    expect(memberIds(first.body.members)).toEqual(['alice', 'bob']);
    await send(alice, cid, 'hi bob');

    const reversed = await bob.post('/v1/channels', { type: 'messaging', members: ['bob', 'alice'] });
    expect(reversed.body.channel.cid).toBe(cid);
    expect(reversed.body.messages.map((m: { text: string }) => m.text)).toEqual(['hi bob']);
    const repeated = await alice.post('/v1/channels', {
      type: 'messaging',
      members: ['bob', 'alice', 'bob'],
    });
    expect(repeated.body.channel.cid).toBe(cid);
    // The creator counts as a member even when not listed.
    const implicit = await bob.post('/v1/channels', { type: 'messaging', members: ['alice', 'alice'] });
    expect(implicit.body.channel.cid).toBe(cid);

    const trio = await carol.post('/v1/channels', { type: 'messaging', members: ['alice', 'bob'] });
    expect(trio.body.channel.cid).not.toBe(cid);
    expect(memberIds(trio.body.members)).toEqual(['alice', 'bob', 'carol']);
    // The same pair in another channel type is another channel.
    const team = await alice.post('/v1/channels', { type: 'team', members: ['alice', 'bob'] });
    expect(team.body.channel.cid).not.toBe(cid);

    const pair = await alice.post('/v1/channels/query', {
      filter: { type: 'messaging', members: ['alice', 'bob'] },
    });
    expect(cidsOf(pair.body.channels).sort()).toEqual([cid, trio.body.channel.cid].sort());
  });

  it('concurrent creates of one distinct channel all get the same channel', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? bob : alice).post('/v1/channels', { type: 'messaging', members: ['alice', 'bob'] }),
      ),
    );
    for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(new Set(replies.map((r) => r.body.channel.cid)).size).toBe(1);
    const listed = await alice.post('/v1/channels/query', {});
    expect(listed.body.channels).toHaveLength(1);
  });

  it('refuses to hand an existing id to someone who is not a member, as a read would: not found', async () => {
    const t = await newTestApp();
    const [alice, mallory] = await usersOf(t, 'alice', 'mallory');
    await createChannel(alice, 'secret');
    const taken = await mallory.post('/v1/channels', {
      type: 'messaging',
      id: 'secret',
      members: ['mallory'],
    });
    // The same answer as reading a channel that does not exist: nothing confirms it does.
    const missing = await mallory.get('/v1/channels/messaging/no-such-channel');
    expectError(taken, 404, 'not_found');
    expect(taken.body.error).toEqual(missing.body.error);
    const state = await alice.get('/v1/channels/messaging/secret');
    expect(memberIds(state.body.members)).toEqual(['alice']);
  });

  it('rejects bad input naming the field, and creates nothing', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice', 'bob');
    const cases: [unknown, (string | number)[]][] = [
      [{ type: 'dm', id: 'c1' }, ['type']],
      [{ id: 'c1' }, ['type']],
      [{ type: 'messaging', id: 'has space' }, ['id']],
      [{ type: 'messaging', id: 'a:b' }, ['id']],
      [{ type: 'messaging', id: 'x'.repeat(65) }, ['id']],
      [{ type: 'messaging' }, ['members']],
      [{ type: 'messaging', members: ['bob'] }, ['members']],
      [{ type: 'messaging', id: 'c1', members: ['bad id'] }, ['members', 0]],
      [{ type: 'messaging', id: 'c1', members: Array.from({ length: 101 }, (_, i) => `u${i}`) }, ['members']],
      [{ type: 'messaging', id: 'c1', image: 'javascript:alert(1)' }, ['image']],
      [{ type: 'messaging', id: 'c1', name: 'n'.repeat(201) }, ['name']],
      [{ type: 'messaging', id: 'c1', custom: { blob: 'x'.repeat(6000) } }, ['custom']],
      // Unknown users are refused, not created.
      [{ type: 'messaging', id: 'c1', members: ['bob', 'ghost'] }, ['members']],
      [{ type: 'messaging', members: ['alice', 'ghost'] }, ['members']],
    ];
    for (const [body, path] of cases) expectInvalid(await alice.post('/v1/channels', body), path);
    expectUnknownKey(
      await alice.post('/v1/channels', { type: 'messaging', id: 'c1', frozen: true }),
      'frozen',
    );
    // Server-side calls must say who creates the channel; a user may not name someone else.
    expectInvalid(await t.server.post('/v1/channels', { type: 'messaging', id: 'c1' }), ['created_by_id']);
    expectError(
      await alice.post('/v1/channels', { type: 'messaging', id: 'c1', created_by_id: 'bob' }),
      403,
      'forbidden',
    );

    expectError(await alice.get('/v1/channels/messaging/c1'), 404, 'not_found');
    expect((await alice.post('/v1/channels/query', {})).body.channels).toEqual([]);
    expect((await t.server.get('/v1/users?ids=ghost')).body.users).toEqual([]);
  });

  it('server-side calls create channels for a named creator', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice', 'bob');
    const created = await t.server.post('/v1/channels', {
      type: 'team',
      id: 'eng',
      members: ['bob'],
      created_by_id: 'alice',
    });
    expect(created.status).toBe(201);
    expect(created.body.channel.created_by).toBe('alice');
    expect(created.body.membership).toBeNull();
    const mine = await alice.get('/v1/channels/team/eng');
    expect(mine.body.membership).toMatchObject({ role: 'admin' });
    // A user naming themselves is what would happen anyway.
    const own = await alice.post('/v1/channels', { type: 'team', id: 'own', created_by_id: 'alice' });
    expect(own.status).toBe(201);
    expect(own.body.channel.created_by).toBe('alice');
  });
});

describe('GET /v1/channels/{type}/{id}', () => {
  it('returns channel, members, newest messages oldest first, reads, membership and draft', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob']);
    const sent = [];
    for (let i = 0; i < 27; i++) sent.push(await send(alice, cid, `m${i}`));
    await bob.put(`${channelPath(cid)}/draft`, { text: 'typing...' });

    const state = await bob.get('/v1/channels/messaging/room');
    expect(state.status).toBe(200);
    expect(state.body.channel).toMatchObject({ cid, member_count: 2, last_message_at: sent[26]!.created_at });
    expect(ids(state.body.messages)).toEqual(ids(sent.slice(2)));
    expect(memberIds(state.body.members)).toEqual(['alice', 'bob']);
    expect(state.body.membership).toMatchObject({ user_id: 'bob', role: 'member', unread_count: 27 });
    expect(state.body.read.find((r: { user_id: string }) => r.user_id === 'bob')).toMatchObject({
      unread_count: 27,
      last_read_message_id: null,
    });
    expect(state.body.draft).toMatchObject({ cid, parent_id: null, text: 'typing...' });
    // The draft is the caller's own.
    expect((await alice.get('/v1/channels/messaging/room')).body.draft).toBeNull();
  });

  it('answers 404 for unknown channels and to non-members, 400 for bad params', async () => {
    const t = await newTestApp();
    const [alice, eve] = await usersOf(t, 'alice', 'eve');
    await createChannel(alice, 'private');
    expectError(await alice.get('/v1/channels/messaging/nope'), 404, 'not_found');
    expectError(await alice.get('/v1/channels/team/private'), 404, 'not_found');
    expectError(await eve.get('/v1/channels/messaging/private'), 404, 'not_found');
    expectInvalid(await alice.get('/v1/channels/dm/private'), ['type']);
    expectInvalid(await alice.get(`/v1/channels/messaging/${'x'.repeat(65)}`), ['id']);
    expectInvalid(await alice.get('/v1/channels/messaging/private?limit=5'), ['limit']);

    const other = await newTestApp();
    const [stranger] = await usersOf(other, 'alice');
    expectError(await stranger.get('/v1/channels/messaging/private'), 404, 'not_found');
  });
});

describe('POST /v1/channels/query', () => {
  it('lists only my channels, newest activity first by default, then by created_at', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob', 'carol');
    const a = await createChannel(alice, 'a', ['bob']);
    const b = await createChannel(alice, 'b');
    const c = await createChannel(alice, 'c', ['carol']);
    await createChannel(bob, 'bobs-own');
    await send(alice, a, 'bump a');

    const byActivity = await alice.post('/v1/channels/query', {});
    expect(cidsOf(byActivity.body.channels)).toEqual([a, c, b]);
    expect(byActivity.body.next_cursor).toBeNull();
    expect(byActivity.body.channels[0].messages.map((m: { text: string }) => m.text)).toEqual(['bump a']);
    expect(
      cidsOf((await alice.post('/v1/channels/query', { sort: { last_message_at: 1 } })).body.channels),
    ).toEqual([b, c, a]);
    expect(
      cidsOf((await alice.post('/v1/channels/query', { sort: { created_at: 1 } })).body.channels),
    ).toEqual([a, b, c]);
    expect(
      cidsOf((await alice.post('/v1/channels/query', { sort: { created_at: -1 } })).body.channels),
    ).toEqual([c, b, a]);
    const noMessages = await alice.post('/v1/channels/query', { message_limit: 0 });
    expect(noMessages.body.channels[0].messages).toEqual([]);

    expect(cidsOf((await bob.post('/v1/channels/query', {})).body.channels).sort()).toEqual([
      a,
      'messaging:bobs-own',
    ]);
    // Server-side calls see every channel of the app.
    expect((await t.server.post('/v1/channels/query', {})).body.channels).toHaveLength(4);
  });

  it('filters by members, type, frozen and last_message_at', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice', 'bob', 'carol');
    const ab = await createChannel(alice, 'ab', ['bob']);
    const abc = await createChannel(alice, 'abc', ['bob', 'carol']);
    const ac = await createChannel(alice, 'ac', ['carol']);
    const team = await createChannel(alice, 'team-ab', ['bob'], { type: 'team' });
    const first = await send(alice, ab, 'one');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await send(alice, abc, 'two');

    const query = async (filter: Record<string, unknown>) =>
      cidsOf((await alice.post('/v1/channels/query', { filter, sort: { created_at: 1 } })).body.channels);
    expect(await query({ members: ['bob'] })).toEqual([ab, abc, team]);
    expect(await query({ members: ['bob', 'carol'] })).toEqual([abc]);
    expect(await query({ members: ['carol'], type: 'messaging' })).toEqual([abc, ac]);
    expect(await query({ type: 'team' })).toEqual([team]);
    expect(await query({ type: ['team', 'messaging'] })).toEqual([ab, abc, ac, team]);
    expect(await query({ type: 'livestream' })).toEqual([]);
    expect(await query({ members: ['ghost'] })).toEqual([]);
    expect(await query({ last_message_at: { gt: first.created_at } })).toEqual([abc]);
    expect(await query({ last_message_at: { lt: second.created_at } })).toEqual([ab]);
    expect(
      await query({ last_message_at: { gt: '2000-01-01T00:00:00Z', lt: '2999-01-01T00:00:00.000+02:00' } }),
    ).toEqual([ab, abc]);
    await alice.post(`${channelPath(ac)}/freeze`);
    expect(await query({ frozen: true })).toEqual([ac]);
    expect(await query({ frozen: false, type: 'messaging' })).toEqual([ab, abc]);
  });

  it('pages through more channels than one page with no gap and no duplicate, in every sort', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice', 'bob');
    // Created in parallel batches so that some share a creation instant: ties must not break pages.
    const cids: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      cids.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, (_, i) => createChannel(alice, `ch-${batch}-${i}`, i % 2 ? ['bob'] : [])),
        )),
      );
    }
    // Some channels get messages, in a known order.
    const active = [cids[3]!, cids[10]!, cids[17]!];
    for (const cid of active) await send(alice, cid, 'bump');

    for (const sort of [undefined, { last_message_at: 1 }, { created_at: 1 }, { created_at: -1 }]) {
      const full = cidsOf(
        (await alice.post('/v1/channels/query', { limit: 100, ...(sort && { sort }) })).body.channels,
      );
      expect(full).toHaveLength(24);
      expect(new Set(full)).toEqual(new Set(cids));
      for (const limit of [1, 5, 7]) {
        const pages = await queryAll(alice, { limit, message_limit: 0, ...(sort && { sort }) });
        expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
        expect(pages.flat(), `sort ${JSON.stringify(sort)} limit ${limit}`).toEqual(full);
      }
    }
    const byActivity = cidsOf((await alice.post('/v1/channels/query', { limit: 3 })).body.channels);
    expect(byActivity).toEqual([...active].reverse());

    // Filters apply on every page.
    const withBob = (await queryAll(alice, { limit: 5, filter: { members: ['bob'] } })).flat();
    expect(withBob).toHaveLength(12);
    expect(new Set(withBob).size).toBe(12);
  });

  it('rejects bad queries naming the field', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    await createChannel(alice, 'x');
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: [unknown, (string | number)[]][] = [
      [{ limit: 0 }, ['limit']],
      [{ limit: 101 }, ['limit']],
      [{ limit: '10' }, ['limit']],
      [{ message_limit: 101 }, ['message_limit']],
      [{ sort: { created_at: 1, last_message_at: -1 } }, ['sort']],
      [{ sort: { created_at: 2 } }, ['sort', 'created_at']],
      [{ sort: { name: 1 } }, ['sort']],
      [{ filter: { type: 'dm' } }, ['filter', 'type']],
      [{ filter: { members: [] } }, ['filter', 'members']],
      [{ filter: { members: ['bad id'] } }, ['filter', 'members', 0]],
      [{ filter: { last_message_at: { gt: 'yesterday' } } }, ['filter', 'last_message_at', 'gt']],
      [{ filter: { name: 'x' } }, ['filter']],
      [{ cursor: 'x'.repeat(513) }, ['cursor']],
      [{ cursor: 'not-a-cursor' }, ['cursor']],
      [{ cursor: forged({ id: 'x' }) }, ['cursor']],
      // Well-formed JSON with the right keys but values no page could have produced.
      [{ cursor: forged({ k: 'yesterday', id: '00000000-0000-4000-8000-000000000000' }) }, ['cursor']],
      [{ cursor: forged({ k: null, id: 'not-a-uuid' }) }, ['cursor']],
      [{ cursor: forged({ k: 12, id: [] }) }, ['cursor']],
    ];
    for (const [body, path] of cases) expectInvalid(await alice.post('/v1/channels/query', body), path);
  });
});

describe('PATCH /v1/channels/{type}/{id}', () => {
  it('updates name, image and custom data', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob'], { name: 'Room', custom: { a: 1 } });
    const before = (await alice.get(channelPath(cid))).body.channel;

    const renamed = await bob.patch(channelPath(cid), { name: 'Lounge' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.channel).toMatchObject({ cid, name: 'Lounge', custom: { a: 1 } });
    expect(renamed.body.channel.seq).toBeGreaterThan(before.seq);

    const custom = await alice.patch(channelPath(cid), {
      custom: { b: [true] },
      image: 'https://img.example/x.png',
    });
    expect(custom.body.channel).toMatchObject({
      name: 'Lounge',
      custom: { b: [true] },
      image: 'https://img.example/x.png',
    });
    const cleared = await alice.patch(channelPath(cid), { name: null, image: null });
    expect(cleared.body.channel).toMatchObject({ name: null, image: null, custom: { b: [true] } });
    expect((await bob.get(channelPath(cid))).body.channel).toMatchObject({
      name: null,
      custom: { b: [true] },
    });
  });

  it('rejects bad updates and non-members, and changes nothing', async () => {
    const t = await newTestApp();
    const [alice, bob, eve] = await usersOf(t, 'alice', 'bob', 'eve');
    const cid = await createChannel(alice, 'room', ['bob'], { name: 'Room' });
    const team = await createChannel(alice, 'eng', ['bob'], { type: 'team', name: 'Eng' });
    const before = (await alice.get(channelPath(cid))).body.channel;
    const cases: [unknown, (string | number)[]][] = [
      [{}, []],
      [{ name: 'n'.repeat(201) }, ['name']],
      [{ image: 'javascript:alert(1)' }, ['image']],
      [{ custom: null }, ['custom']],
    ];
    for (const [body, path] of cases) expectInvalid(await alice.patch(channelPath(cid), body), path);
    expectUnknownKey(await alice.patch(channelPath(cid), { frozen: true }), 'frozen');
    expectUnknownKey(await alice.patch(channelPath(cid), { name: 'x', id: 'other' }), 'id');
    expectError(await eve.patch(channelPath(cid), { name: 'pwned' }), 404, 'not_found');
    expectError(await alice.patch('/v1/channels/messaging/nope', { name: 'x' }), 404, 'not_found');
    // In a team channel only moderators change the channel.
    expectError(await bob.patch(channelPath(team), { name: 'mine' }), 403, 'forbidden');

    expect((await alice.get(channelPath(cid))).body.channel).toEqual(before);
    expect((await alice.get(channelPath(team))).body.channel.name).toBe('Eng');
  });
});

describe('DELETE /v1/channels/{type}/{id}', () => {
  it('soft-deletes: then 404 everywhere and absent from queries and unread counts', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'doomed', ['bob']);
    const keep = await createChannel(alice, 'kept', ['bob']);
    const message = await send(alice, cid, 'soon gone');
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);

    // Only an admin of a messaging channel deletes it.
    expectError(await bob.delete(channelPath(cid)), 403, 'forbidden');
    expect((await bob.get(channelPath(cid))).status).toBe(200);

    const deleted = await alice.delete(channelPath(cid));
    expect(deleted.status).toBe(200);
    expect(deleted.body.channel.cid).toBe(cid);
    expect(deleted.body.channel.deleted_at).not.toBeNull();

    expectError(await alice.get(channelPath(cid)), 404, 'not_found');
    expectError(await bob.get(`${channelPath(cid)}/messages`), 404, 'not_found');
    expectError(
      await alice.post(`${channelPath(cid)}/messages`, { client_msg_id: clientId(), text: 'x' }),
      404,
    );
    expectError(await alice.get(`/v1/messages/${message.id}`), 404, 'not_found');
    expectError(await alice.delete(channelPath(cid)), 404, 'not_found');
    expect(cidsOf((await alice.post('/v1/channels/query', {})).body.channels)).toEqual([keep]);
    expect((await bob.get('/v1/unread')).body).toEqual({ total_unread_count: 0, channels: [] });
    expect((await bob.get('/v1/search?query=gone')).body.results).toEqual([]);
    // The id stays taken.
    expectError(await alice.post('/v1/channels', { type: 'messaging', id: 'doomed' }), 409, 'conflict');
  });
});

describe('freeze and unfreeze', () => {
  it('stops new messages while frozen', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob']);
    await send(bob, cid, 'before');

    expectError(await bob.post(`${channelPath(cid)}/freeze`), 403, 'forbidden');
    const frozen = await alice.post(`${channelPath(cid)}/freeze`);
    expect(frozen.status).toBe(200);
    expect(frozen.body.channel.frozen).toBe(true);
    expect((await bob.get(channelPath(cid))).body.channel.frozen).toBe(true);

    for (const sender of [bob, alice]) {
      expectError(
        await sender.post(`${channelPath(cid)}/messages`, {
          client_msg_id: clientId(),
          text: 'while frozen',
        }),
        403,
        'channel_frozen',
      );
    }
    const list = await bob.get(`${channelPath(cid)}/messages`);
    // The freeze is said in the channel by a system message (which is never unread).
    expect(list.body.messages.map((m: { type: string; text: string }) => [m.type, m.text])).toEqual([
      ['regular', 'before'],
      ['system', 'ALICE froze the channel'],
    ]);
    expect((await alice.get('/v1/unread')).body.total_unread_count).toBe(1);

    expectError(await bob.post(`${channelPath(cid)}/unfreeze`), 403, 'forbidden');
    const thawed = await alice.post(`${channelPath(cid)}/unfreeze`);
    expect(thawed.body.channel.frozen).toBe(false);
    await send(bob, cid, 'after');
    const texts = (await bob.get(`${channelPath(cid)}/messages`)).body.messages.map(
      (m: { text: string }) => m.text,
    );
    expect(texts).toEqual(['before', 'ALICE froze the channel', 'ALICE unfroze the channel', 'after']);
    expectError(await alice.post('/v1/channels/messaging/nope/freeze'), 404, 'not_found');
  });
});

describe('POST /v1/channels/{type}/{id}/truncate', () => {
  it('hides every message sent so far and resets unread counts', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob']);
    const old = [await send(alice, cid, 'old one'), await send(alice, cid, 'old two')];
    const reply = await send(bob, cid, 'old reply', { parent_id: old[0]!.id });
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(2);

    expectError(await bob.post(`${channelPath(cid)}/truncate`), 403, 'forbidden');
    expect((await bob.get(`${channelPath(cid)}/messages`)).body.messages).toHaveLength(2);

    const truncated = await alice.post(`${channelPath(cid)}/truncate`);
    expect(truncated.status).toBe(200);
    expect(truncated.body.channel.truncated_at).not.toBeNull();
    expect(truncated.body.channel.last_message_at).toBeNull();

    // What is left is the truncate's own system message, stamped after the cut (and never unread).
    const left = (await bob.get(`${channelPath(cid)}/messages`)).body;
    expect(left.has_more).toBe(false);
    expect(left.messages.map((m: Message) => [m.type, m.system?.kind, m.seq])).toEqual([
      ['system', 'channel.truncated', truncated.body.channel.seq + 1],
    ]);
    const note = left.messages[0];
    const state = await bob.get(channelPath(cid));
    expect(state.body.messages).toEqual([note]);
    expect(state.body.membership.unread_count).toBe(0);
    expect((await bob.get('/v1/unread')).body).toEqual({ total_unread_count: 0, channels: [] });
    for (const m of [...old, reply]) expectError(await bob.get(`/v1/messages/${m.id}`), 404, 'not_found');
    expect((await bob.get('/v1/search?query=old')).body.results).toEqual([]);

    const fresh = await send(alice, cid, 'new one');
    expect(ids((await bob.get(`${channelPath(cid)}/messages`)).body.messages)).toEqual([note.id, fresh.id]);
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);
  });

  it('splits messages sent during a truncate by the order of the channel log', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob']);
    for (let round = 0; round < 3; round++) {
      const sends = Array.from({ length: 12 }, (_, i) => send(alice, cid, `round ${round} message ${i}`));
      const [truncated, ...sent] = await Promise.all([alice.post(`${channelPath(cid)}/truncate`), ...sends]);
      expect(truncated.status).toBe(200);
      // The truncate took its place in the channel's sequence: what came before it is hidden, what
      // came after it stays, exactly as a client replaying the event log sees it.
      const truncatedAt = truncated.body.channel.seq;
      const after = sent.filter((m) => m.seq > truncatedAt).sort((a, b) => a.seq - b.seq);
      const listed = await bob.get(`${channelPath(cid)}/messages?limit=100`);
      // The truncate's system message took the seq right after it, in the same transaction.
      const [note, ...rest] = listed.body.messages as Message[];
      expect(note).toMatchObject({
        type: 'system',
        seq: truncatedAt + 1,
        system: { kind: 'channel.truncated' },
      });
      expect(ids(rest), `round ${round}, truncate at seq ${truncatedAt}`).toEqual(ids(after));
      for (const m of sent) {
        expect((await bob.get(`/v1/messages/${m.id}`)).status).toBe(m.seq > truncatedAt ? 200 : 404);
      }
      expect((await bob.get(channelPath(cid))).body.membership.unread_count).toBe(after.length);
    }
  });
});
