import { describe, expect, it } from 'vitest';
import { type Api, newTestApp } from './api';
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

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function unreadOf(api: Api): Promise<{ total: number; byCid: Record<string, number> }> {
  const reply = await api.get('/v1/unread');
  expect(reply.status).toBe(200);
  const byCid: Record<string, number> = {};
  for (const c of reply.body.channels) byCid[c.cid] = c.unread_count;
  return { total: reply.body.total_unread_count, byCid };
}

describe('reads and unread counts', () => {
  it('counts unread per channel and in total, and marks read up to a message or all', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const one = await createChannel(alice, 'one', ['bob']);
    const two = await createChannel(alice, 'two', ['bob']);
    const m = [await send(alice, one, 'm1'), await send(alice, one, 'm2'), await send(alice, one, 'm3')];
    await send(alice, two, 'n1');
    await send(alice, two, 'n2');
    await send(bob, two, 'bob says');

    expect(await unreadOf(bob)).toEqual({ total: 5, byCid: { [one]: 3, [two]: 2 } });
    // Unread channels come most recently active first.
    expect((await bob.get('/v1/unread')).body.channels.map((c: { cid: string }) => c.cid)).toEqual([
      two,
      one,
    ]);
    // One's own messages are never unread.
    expect(await unreadOf(alice)).toEqual({ total: 1, byCid: { [two]: 1 } });

    const upTo = await bob.post(`${channelPath(one)}/read`, { message_id: m[0]!.id });
    expect(upTo.status).toBe(200);
    expect(upTo.body.read).toHaveLength(1);
    expect(upTo.body.read[0]).toMatchObject({
      user_id: 'bob',
      last_read_message_id: m[0]!.id,
      unread_count: 2,
    });
    expect(upTo.body.read[0].last_read_at).not.toBeNull();
    expect(await unreadOf(bob)).toEqual({ total: 4, byCid: { [one]: 2, [two]: 2 } });

    const states = await alice.get(`${channelPath(one)}/read`);
    expect(states.status).toBe(200);
    const byUser = Object.fromEntries(states.body.read.map((r: { user_id: string }) => [r.user_id, r]));
    expect(byUser.bob).toMatchObject({ last_read_message_id: m[0]!.id, unread_count: 2 });
    expect(byUser.alice).toMatchObject({ last_read_message_id: null, last_read_at: null, unread_count: 0 });

    const all = await bob.post(`${channelPath(one)}/read`, {});
    expect(all.body.read[0]).toMatchObject({ last_read_message_id: m[2]!.id, unread_count: 0 });
    expect(await unreadOf(bob)).toEqual({ total: 2, byCid: { [two]: 2 } });
    expect((await bob.get(channelPath(one))).body.membership.unread_count).toBe(0);

    // New messages count again; thread replies do not.
    const m4 = await send(alice, one, 'm4');
    await send(alice, one, 'in thread', { parent_id: m4.id });
    expect(await unreadOf(bob)).toEqual({ total: 3, byCid: { [one]: 1, [two]: 2 } });

    // Marking read back to an older message makes the later ones unread again.
    const back = await bob.post(`${channelPath(one)}/read`, { message_id: m[1]!.id });
    expect(back.body.read[0]).toMatchObject({ last_read_message_id: m[1]!.id, unread_count: 2 });

    // Deleted messages after the read point do not count.
    await alice.delete(`/v1/messages/${m[2]!.id}`);
    const afterDelete = await bob.post(`${channelPath(one)}/read`, { message_id: m[1]!.id });
    expect(afterDelete.body.read[0].unread_count).toBe(1);

    await bob.post(`${channelPath(two)}/read`, {});
    await bob.post(`${channelPath(one)}/read`, {});
    expect((await bob.get('/v1/unread')).body).toEqual({ total_unread_count: 0, channels: [] });
  });

  it('marks an empty channel read', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const cid = await createChannel(alice, 'empty');
    const read = await alice.post(`${channelPath(cid)}/read`, {});
    expect(read.status).toBe(200);
    expect(read.body.read[0]).toMatchObject({
      user_id: 'alice',
      last_read_message_id: null,
      unread_count: 0,
    });
  });

  it('rejects bad marks, naming the field, and changes nothing', async () => {
    const t = await newTestApp();
    const [alice, bob, eve] = await usersOf(t, 'alice', 'bob', 'eve');
    const cid = await createChannel(alice, 'one', ['bob']);
    const other = await createChannel(alice, 'other', ['bob']);
    const m1 = await send(alice, cid, 'm1');
    await send(alice, cid, 'm2');
    const reply = await send(alice, cid, 'reply', { parent_id: m1.id });
    const elsewhere = await send(alice, other, 'elsewhere');
    await bob.post(`${channelPath(cid)}/read`, { message_id: m1.id });
    const before = (await alice.get(`${channelPath(cid)}/read`)).body.read;

    for (const message_id of [UNKNOWN_ID, reply.id, elsewhere.id]) {
      expectInvalid(await bob.post(`${channelPath(cid)}/read`, { message_id }), ['message_id']);
    }
    expectInvalid(await bob.post(`${channelPath(cid)}/read`, { message_id: 'not-a-uuid' }), ['message_id']);
    expectUnknownKey(
      await bob.post(`${channelPath(cid)}/read`, { message_id: m1.id, user_id: 'alice' }),
      'user_id',
    );
    expectError(await eve.post(`${channelPath(cid)}/read`, {}), 404, 'not_found');
    expectError(await eve.get(`${channelPath(cid)}/read`), 404, 'not_found');
    expectError(await bob.post('/v1/channels/messaging/nope/read', {}), 404, 'not_found');
    expectError(await t.server.post(`${channelPath(cid)}/read`, {}), 403, 'forbidden');
    expectError(await t.server.get('/v1/unread'), 403, 'forbidden');
    expectInvalid(await bob.get('/v1/unread?cid=x'), ['cid']);

    expect((await alice.get(`${channelPath(cid)}/read`)).body.read).toEqual(before);
    expect(await unreadOf(bob)).toEqual({ total: 2, byCid: { [cid]: 1, [other]: 1 } });
  });
});

describe('drafts', () => {
  it('saves, gets and deletes one draft per channel and per thread', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob']);
    const root = await send(alice, cid, 'root');
    const path = `${channelPath(cid)}/draft`;

    expect((await bob.get(path)).body).toEqual({ draft: null });
    const saved = await bob.put(path, { text: 'half a thought' });
    expect(saved.status).toBe(200);
    expect(saved.body.draft).toMatchObject({ cid, parent_id: null, text: 'half a thought' });
    const overwritten = await bob.put(path, { text: 'a whole thought' });
    expect(overwritten.body.draft.text).toBe('a whole thought');
    expect(Date.parse(overwritten.body.draft.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(saved.body.draft.updated_at),
    );

    const thread = await bob.put(path, { text: 'thread reply draft', parent_id: root.id });
    expect(thread.body.draft).toMatchObject({ cid, parent_id: root.id, text: 'thread reply draft' });

    expect((await bob.get(path)).body.draft).toMatchObject({ parent_id: null, text: 'a whole thought' });
    expect((await bob.get(`${path}?parent_id=${root.id}`)).body.draft).toMatchObject({
      parent_id: root.id,
      text: 'thread reply draft',
    });
    expect((await bob.get(channelPath(cid))).body.draft).toMatchObject({
      parent_id: null,
      text: 'a whole thought',
    });
    // Drafts are private.
    expect((await alice.get(path)).body.draft).toBeNull();
    expect((await alice.get(`${path}?parent_id=${root.id}`)).body.draft).toBeNull();

    const deleted = await bob.delete(path);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ draft: null });
    expect((await bob.get(path)).body.draft).toBeNull();
    expect((await bob.get(channelPath(cid))).body.draft).toBeNull();
    expect((await bob.get(`${path}?parent_id=${root.id}`)).body.draft.text).toBe('thread reply draft');
    expect((await bob.delete(path)).status).toBe(200);

    await bob.delete(`${path}?parent_id=${root.id}`);
    expect((await bob.get(`${path}?parent_id=${root.id}`)).body.draft).toBeNull();

    const longest = await bob.put(path, { text: 'x'.repeat(5000) });
    expect(longest.status).toBe(200);
    expect((await bob.put(path, { text: '' })).body.draft.text).toBe('');
  });

  it('rejects bad drafts naming the field, and changes nothing', async () => {
    const t = await newTestApp();
    const [alice, bob, eve] = await usersOf(t, 'alice', 'bob', 'eve');
    const cid = await createChannel(alice, 'room', ['bob']);
    const other = await createChannel(alice, 'other', ['bob']);
    const root = await send(alice, cid, 'root');
    const elsewhere = await send(alice, other, 'elsewhere');
    const path = `${channelPath(cid)}/draft`;
    await bob.put(path, { text: 'keep me' });
    await bob.put(path, { text: 'keep me too', parent_id: root.id });

    const cases: [unknown, (string | number)[]][] = [
      [{}, ['text']],
      [{ text: 'x'.repeat(5001) }, ['text']],
      [{ text: null }, ['text']],
      [{ text: 'nul\u0000' }, ['text']],
      [{ text: 'x', parent_id: 'nope' }, ['parent_id']],
      [{ text: 'x', parent_id: UNKNOWN_ID }, ['parent_id']],
      [{ text: 'x', parent_id: elsewhere.id }, ['parent_id']],
    ];
    for (const [body, p] of cases) expectInvalid(await bob.put(path, body), p);
    expectUnknownKey(await bob.put(path, { text: 'x', attachments: [] }), 'attachments');
    expectInvalid(await bob.get(`${path}?parent_id=nope`), ['parent_id']);
    expectInvalid(await bob.delete(`${path}?parent_id=nope`), ['parent_id']);
    expectInvalid(await bob.delete(`${path}?parent_id=${UNKNOWN_ID}`), ['parent_id']);
    expectUnknownKey(await bob.get(`${path}?thread=1`), 'thread');
    expectError(await eve.put(path, { text: 'x' }), 404, 'not_found');
    expectError(await eve.get(path), 404, 'not_found');
    expectError(await bob.put('/v1/channels/messaging/nope/draft', { text: 'x' }), 404, 'not_found');
    expectError(await t.server.put(path, { text: 'x' }), 403, 'forbidden');
    expectError(await bob.put(path, { text: 'x'.repeat(1024 * 1024 + 1) }), 413, 'payload_too_large');

    expect((await bob.get(path)).body.draft.text).toBe('keep me');
    expect((await bob.get(`${path}?parent_id=${root.id}`)).body.draft.text).toBe('keep me too');
  });
});

describe('GET /v1/search', () => {
  it("finds messages only in the user's channels, by word, excluding deleted ones", async () => {
    const t = await newTestApp();
    const [alice, bob, carol, dave] = await usersOf(t, 'alice', 'bob', 'carol', 'dave');
    const ab = await createChannel(alice, 'ab', ['bob']);
    const cd = await createChannel(carol, 'cd', ['dave']);
    const ac = await createChannel(alice, 'ac', ['carol']);
    const a1 = await send(alice, ab, 'I like apple pie');
    const a2 = await send(bob, ab, 'Apples? No, one APPLE.');
    await send(bob, ab, 'bananas only');
    await send(carol, cd, 'apple for carol');
    await send(dave, cd, 'apple for dave');
    const a3 = await send(carol, ac, 'shared apple');
    const gone = await send(alice, ab, 'apple to delete');
    const inThread = await send(bob, ab, 'apple in a thread', { parent_id: a1.id });
    await alice.delete(`/v1/messages/${gone.id}`);

    const search = async (api: Api, query: string) => {
      const reply = await api.get(`/v1/search?query=${encodeURIComponent(query)}`);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return reply.body.results.map((r: { message: { id: string } }) => r.message.id);
    };
    // Newest first; matches whole words in any case; thread replies included.
    expect(await search(alice, 'apple')).toEqual([inThread.id, a3.id, a2.id, a1.id]);
    expect(await search(bob, 'APPLE')).toEqual([inThread.id, a2.id, a1.id]);
    expect((await search(carol, 'apple')).length).toBe(3);
    expect(await search(dave, 'apple')).toHaveLength(2);
    expect(await search(alice, 'apple pie')).toEqual([a1.id]);
    expect(await search(alice, 'delete')).toEqual([]);
    expect(await search(alice, 'nothing-like-this')).toEqual([]);
    // Operators are plain text, not query syntax.
    expect(await search(alice, "apple & | ! ( ) : * ' \\")).toEqual(await search(alice, 'apple'));

    const result = (await alice.get('/v1/search?query=pie')).body.results[0].message;
    expect(result).toMatchObject({ id: a1.id, cid: ab, text: 'I like apple pie', user_id: 'alice' });

    // Edits are searchable by their new text.
    await bob.patch(`/v1/messages/${a2.id}`, { text: 'pears now' });
    expect(await search(bob, 'pears')).toEqual([a2.id]);
    expect(await search(bob, 'apple')).toEqual([inThread.id, a1.id]);

    // Restricted to one channel.
    const inAc = await alice.get(`/v1/search?query=apple&cid=${encodeURIComponent(ac)}`);
    expect(ids(inAc.body.results.map((r: { message: { id: string } }) => r.message))).toEqual([a3.id]);
    expectError(await alice.get(`/v1/search?query=apple&cid=${encodeURIComponent(cd)}`), 404, 'not_found');

    // Leaving a channel hides its messages.
    await alice.post(`${channelPath(ac)}/members/remove`, { user_ids: ['alice'] });
    expect(await search(alice, 'shared')).toEqual([]);
  });

  it('paginates with next_cursor, newest first, with no gap and no duplicate', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'room', ['bob']);
    const sent = await Promise.all(
      Array.from({ length: 11 }, (_, i) => send(i % 2 ? alice : bob, cid, `needle number ${i}`)),
    );
    await send(alice, cid, 'haystack');

    for (const limit of [1, 3, 4, 11, 100]) {
      const seen: { id: string; created_at: string }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/search?query=needle&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await bob.get(url);
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        expect(page.body.results.length).toBeLessThanOrEqual(limit);
        seen.push(
          ...page.body.results.map((r: { message: { id: string; created_at: string } }) => r.message),
        );
        cursor = page.body.next_cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(pages).toBe(Math.max(1, Math.ceil(11 / limit)));
      expect(new Set(ids(seen)).size).toBe(11);
      expect(new Set(ids(seen))).toEqual(new Set(ids(sent)));
      const times = seen.map((m) => Date.parse(m.created_at));
      expect(times).toEqual([...times].sort((x, y) => y - x));
    }
  });

  it('rejects bad searches naming the field', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    await send(alice, await createChannel(alice, 'room'), 'apple');
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expectInvalid(await alice.get('/v1/search'), ['query']);
    expectInvalid(await alice.get('/v1/search?query='), ['query']);
    expectInvalid(await alice.get(`/v1/search?query=${'a'.repeat(201)}`), ['query']);
    expectInvalid(await alice.get('/v1/search?query=%00'), ['query']);
    expectInvalid(await alice.get('/v1/search?query=apple&limit=101'), ['limit']);
    expectInvalid(await alice.get('/v1/search?query=apple&limit=0'), ['limit']);
    expectInvalid(await alice.get('/v1/search?query=apple&cid=room'), ['cid']);
    expectInvalid(await alice.get('/v1/search?query=apple&cid=dm:room'), ['cid']);
    expectInvalid(await alice.get('/v1/search?query=apple&cursor=garbage'), ['cursor']);
    expectInvalid(await alice.get(`/v1/search?query=apple&cursor=${'x'.repeat(513)}`), ['cursor']);
    expectInvalid(await alice.get(`/v1/search?query=apple&cursor=${forged({ t: 'soon', id: UNKNOWN_ID })}`), [
      'cursor',
    ]);
    expectInvalid(
      await alice.get(`/v1/search?query=apple&cursor=${forged({ t: '2020-01-01T00:00:00.000Z', id: 'x' })}`),
      ['cursor'],
    );
    expectUnknownKey(await alice.get('/v1/search?query=apple&sort=asc'), 'sort');
    expectError(await alice.get('/v1/search?query=apple&cid=messaging:nope'), 404, 'not_found');
    // 200 characters exactly is fine.
    expect((await alice.get(`/v1/search?query=${'a'.repeat(200)}`)).status).toBe(200);
  });
});

describe('read state of several members', () => {
  it('lists every member with their own unread count', async () => {
    const t = await newTestApp();
    const [alice, bob, carol] = await usersOf(t, 'alice', 'bob', 'carol');
    const cid = await createChannel(alice, 'room', ['bob', 'carol']);
    await send(alice, cid, 'one');
    await send(bob, cid, 'two');
    await carol.post(`${channelPath(cid)}/read`, {});
    const read = (await bob.get(`${channelPath(cid)}/read`)).body.read;
    const counts = Object.fromEntries(
      read.map((r: { user_id: string; unread_count: number }) => [r.user_id, r.unread_count]),
    );
    expect(counts).toEqual({ alice: 1, bob: 1, carol: 0 });
  });

  it('derives counts from read points: a member added later, a deletion, a mark in a big channel', async () => {
    const t = await newTestApp();
    const [alice, bob, carol] = await usersOf(t, 'alice', 'bob', 'carol');
    const cid = await createChannel(alice, 'derived', ['bob']);
    const early = await send(alice, cid, 'before carol joined');
    expect((await t.server.post(`${channelPath(cid)}/members`, { user_ids: ['carol'] })).status).toBe(200);
    const later = await send(alice, cid, 'after carol joined');
    // Carol joined after the first message: only the later one is unread for her.
    expect(await unreadOf(carol)).toEqual({ total: 1, byCid: { [cid]: 1 } });
    expect(await unreadOf(bob)).toEqual({ total: 2, byCid: { [cid]: 2 } });
    // A deleted message stops counting at once, with no new mark.
    expect((await alice.delete(`/v1/messages/${early.id}`)).status).toBe(200);
    expect(await unreadOf(bob)).toEqual({ total: 1, byCid: { [cid]: 1 } });
    expect((await bob.get(channelPath(cid))).body.membership.unread_count).toBe(1);

    // Past the first page of members (100), marking read still answers with the reader's state.
    const crowd = Array.from({ length: 100 }, (_, i) => `member-${i}`);
    await t.server.post('/v1/users', { users: crowd.map((id) => ({ id })) });
    expect((await t.server.post(`${channelPath(cid)}/members`, { user_ids: crowd })).status).toBe(200);
    const [last] = await t.users('member-99');
    // The channel's newest message is now the system line of their arrival: marking read reads it.
    const [arrival] = (await alice.get(`${channelPath(cid)}/messages?limit=1`)).body.messages;
    expect(arrival).toMatchObject({ type: 'system', system: { kind: 'member.added' } });
    expect(arrival.id).not.toBe(later.id);
    const mark = await last!.post(`${channelPath(cid)}/read`, {});
    expect(mark.status).toBe(200);
    expect(mark.body.read[0]).toMatchObject({ user_id: 'member-99', last_read_message_id: arrival.id });
  });
});
