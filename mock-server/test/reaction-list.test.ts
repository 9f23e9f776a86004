import { LIMITS } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { type Api, getTestServer, newTestApp, type TestApp } from './api';
import { createChannel, expectError, expectInvalid, send, usersOf } from './rest-helpers';

/**
 * `GET /v1/messages/{id}/reactions`: who reacted to a message, newest first, by type, a page at a
 * time. Whoever may read the message may list them; anyone else is told the message does not exist.
 */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const THUMBS = '👍';
const HEART = '❤️';

interface Listed {
  type: string;
  user: { id: string; name: string | null };
  created_at: string;
}

async function room() {
  const t = await newTestApp();
  const [alice, bob, carol, dave, eve] = await usersOf(t, 'alice', 'bob', 'carol', 'dave', 'eve');
  const cid = await createChannel(alice, 'room', ['bob', 'carol', 'dave']);
  const message = await send(alice, cid, 'react to me');
  const path = `/v1/messages/${message.id}/reactions`;
  const react = async (api: Api, type: string) => {
    const reply = await api.post(path, { type });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  };
  return { t, alice, bob, carol, dave, eve, cid, message, path, react };
}

/** `user:type` of each listed reaction, in order. */
const who = (reactions: Listed[]) => reactions.map((r) => `${r.user.id}:${r.type}`);

/** Follows `next_cursor` to the end; fails on a page over `limit` or a loop. */
async function allPages(api: Api, path: string, query: string, limit: number): Promise<Listed[]> {
  const seen: Listed[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const reply = await api.get(`${path}?${params}`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.reactions.length).toBeLessThanOrEqual(limit);
    seen.push(...reply.body.reactions);
    cursor = reply.body.next_cursor;
    if (!cursor) return seen;
    expect(reply.body.reactions).toHaveLength(limit);
  }
  throw new Error('more than 100 pages');
}

/** Inserts reactions at chosen times (to the microsecond), bypassing the API. */
async function insertReactions(
  t: TestApp,
  messageId: string,
  rows: { user: string; type: string; at: string }[],
) {
  const db = (await getTestServer()).store.db;
  const users = await db
    .selectFrom('app_users')
    .select(['id', 'external_id'])
    .where('app_id', '=', t.app.id)
    .execute();
  const idOf = new Map(users.map((u) => [u.external_id, u.id]));
  await db
    .insertInto('message_reactions')
    .values(
      rows.map((r) => ({
        app_id: t.app.id,
        message_id: messageId,
        app_user_id: idOf.get(r.user)!,
        type: r.type,
        created_at: r.at,
      })),
    )
    .execute();
}

describe('GET /v1/messages/{id}/reactions', () => {
  it('names who reacted, newest first, with each reaction type and time', async () => {
    const { alice, bob, carol, dave, message, path, react } = await room();
    await react(bob, THUMBS);
    await react(carol, HEART);
    await react(dave, THUMBS);
    await react(bob, HEART);

    const reply = await alice.get(path);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(who(reply.body.reactions)).toEqual(['bob:❤️', 'dave:👍', 'carol:❤️', 'bob:👍']);
    expect(reply.body.next_cursor).toBeNull();
    expect(reply.body.reactions[0]).toEqual({
      type: HEART,
      user: expect.objectContaining({ id: 'bob', name: 'BOB', image: null }),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    const times = reply.body.reactions.map((r: Listed) => Date.parse(r.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The same people the counts count; any reader sees them, and so does the app's backend.
    const counts = (await alice.get(`/v1/messages/${message.id}`)).body.message.reaction_counts;
    expect(counts).toEqual({ [THUMBS]: 2, [HEART]: 2 });
    expect((await carol.get(path)).body).toEqual(reply.body);
  });

  it('keeps one type with ?type=, and lists nothing for a type nobody used', async () => {
    const { alice, bob, carol, dave, path, react } = await room();
    await react(bob, THUMBS);
    await react(carol, HEART);
    await react(dave, THUMBS);

    const thumbs = await alice.get(`${path}?type=${encodeURIComponent(THUMBS)}`);
    expect(thumbs.status).toBe(200);
    expect(who(thumbs.body.reactions)).toEqual(['dave:👍', 'bob:👍']);
    const hearts = await alice.get(`${path}?type=${encodeURIComponent(HEART)}`);
    expect(who(hearts.body.reactions)).toEqual(['carol:❤️']);
    const none = await alice.get(`${path}?type=party`);
    expect(none.body).toEqual({ reactions: [], next_cursor: null });
    // Removed reactions are gone from the list.
    await bob.delete(`${path}/${encodeURIComponent(THUMBS)}`);
    expect(who((await alice.get(`${path}?type=${encodeURIComponent(THUMBS)}`)).body.reactions)).toEqual([
      'dave:👍',
    ]);
  });

  it('pages with the cursor, without duplicates or gaps, 25 to a page by default', async () => {
    const t = await newTestApp();
    const ids = Array.from({ length: 13 }, (_, n) => `u${n}`);
    const [alice, ...others] = await usersOf(t, 'alice', ...ids);
    const cid = await createChannel(alice, 'room', ids);
    const message = await send(alice, cid, 'popular');
    const path = `/v1/messages/${message.id}/reactions`;
    for (const [n, api] of others.entries()) {
      for (const type of [THUMBS, HEART]) {
        const reply = await api.post(path, { type });
        expect(reply.status, `${ids[n]} ${type}`).toBe(201);
      }
    }

    const first = await alice.get(path);
    expect(first.body.reactions).toHaveLength(LIMITS.PAGE_SIZE_DEFAULT);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const rest = await alice.get(`${path}?cursor=${first.body.next_cursor}`);
    expect(rest.body.reactions).toHaveLength(26 - LIMITS.PAGE_SIZE_DEFAULT);
    expect(rest.body.next_cursor).toBeNull();
    const whole = await alice.get(`${path}?limit=${LIMITS.PAGE_SIZE_MAX}`);
    expect(whole.body.reactions).toHaveLength(26);
    expect(who([...first.body.reactions, ...rest.body.reactions])).toEqual(who(whole.body.reactions));

    for (const limit of [1, 4, 5, 13, 26, 27]) {
      const paged = await allPages(alice, path, '', limit);
      expect(who(paged), `limit ${limit}`).toEqual(who(whole.body.reactions));
    }
    // Paging within one type.
    const thumbs = await allPages(alice, path, `type=${encodeURIComponent(THUMBS)}`, 3);
    expect(who(thumbs)).toEqual(who(whole.body.reactions.filter((r: Listed) => r.type === THUMBS)));
    expect(new Set(who(thumbs)).size).toBe(13);

    // Reactions arriving while one pages through sit before the first page: no shifts.
    const page1 = await alice.get(`${path}?limit=10`);
    await others[0]!.post(path, { type: 'late' });
    const page2 = await alice.get(`${path}?limit=10&cursor=${page1.body.next_cursor}`);
    expect(who(page2.body.reactions)).toEqual(who(whole.body.reactions.slice(10, 20)));
  });

  it('tells apart reactions within one millisecond, and at the very same time', async () => {
    const { t, alice, message, path } = await room();
    await insertReactions(t, message.id, [
      { user: 'bob', type: 'a', at: '2030-01-01T00:00:00.000100Z' },
      { user: 'carol', type: 'a', at: '2030-01-01T00:00:00.000200Z' },
      { user: 'dave', type: 'a', at: '2030-01-01T00:00:00.000200Z' },
      { user: 'bob', type: 'b', at: '2030-01-01T00:00:00.000200Z' },
      { user: 'carol', type: 'b', at: '2030-01-01T00:00:00.000300Z' },
      { user: 'dave', type: 'b', at: '2030-01-01T00:00:00.000999Z' },
    ]);
    const whole = (await alice.get(path)).body.reactions as Listed[];
    expect(whole).toHaveLength(6);
    expect(whole[0]).toMatchObject({ user: { id: 'dave' }, type: 'b' });
    expect(whole[1]).toMatchObject({ user: { id: 'carol' }, type: 'b' });
    expect(whole[5]).toMatchObject({ user: { id: 'bob' }, type: 'a' });
    for (const limit of [1, 2, 3]) expect(who(await allPages(alice, path, '', limit))).toEqual(who(whole));
  });

  it("lists a banned member's reactions, as the counts count them", async () => {
    const { alice, bob, carol, message, path, react } = await room();
    await react(bob, THUMBS);
    await react(carol, THUMBS);
    expect((await alice.post('/v1/channels/messaging/room/bans', { user_id: 'bob' })).status).toBe(200);
    expect((await alice.get(`/v1/messages/${message.id}`)).body.message.reaction_counts).toEqual({
      [THUMBS]: 2,
    });
    expect(who((await alice.get(path)).body.reactions)).toEqual(['carol:👍', 'bob:👍']);
    // The banned member reads neither the message nor its reactions, refused the same way.
    const refused = await bob.get(`/v1/messages/${message.id}`);
    const listed = await bob.get(path);
    expect([listed.status, listed.body.error?.code]).toEqual([refused.status, refused.body.error?.code]);
  });

  it('lists nothing for a deleted message, as its counts show nothing (getMessage still answers)', async () => {
    const { alice, bob, message, path, react } = await room();
    await react(bob, THUMBS);
    expect((await alice.delete(`/v1/messages/${message.id}`)).status).toBe(200);
    const got = await alice.get(`/v1/messages/${message.id}`);
    expect(got.status).toBe(200);
    expect(got.body.message.reaction_counts).toEqual({});
    expect((await alice.get(path)).body).toEqual({ reactions: [], next_cursor: null });
    expect((await bob.get(`${path}?type=${encodeURIComponent(THUMBS)}`)).body).toEqual({
      reactions: [],
      next_cursor: null,
    });
  });

  it('answers 404 for an unknown message, one of another app and one the caller cannot read', async () => {
    const { t, alice, bob, eve, cid, path, react } = await room();
    await react(bob, THUMBS);
    expectError(await alice.get(`/v1/messages/${UNKNOWN_ID}/reactions`), 404, 'not_found');
    // eve is no member of the messaging channel: it is not there for her.
    expectError(await eve.get(path), 404, 'not_found');
    expectError(await eve.get(`${path}?type=${encodeURIComponent(THUMBS)}`), 404, 'not_found');

    // Another app, with users of the same ids, a server token and all.
    const other = await newTestApp();
    const [otherAlice] = await usersOf(other, 'alice');
    expectError(await otherAlice.get(path), 404, 'not_found');
    expectError(await other.server.get(path), 404, 'not_found');

    // A message hidden by a truncate is gone for everyone.
    expect((await alice.post(`/v1/channels/messaging/room/truncate`)).status).toBe(200);
    expectError(await alice.get(path), 404, 'not_found');
    // The app's own backend reads any of its messages.
    const fresh = await send(alice, cid, 'after the truncate');
    expect((await bob.post(`/v1/messages/${fresh.id}/reactions`, { type: HEART })).status).toBe(201);
    const server = await t.server.get(`/v1/messages/${fresh.id}/reactions`);
    expect(server.status).toBe(200);
    expect(who(server.body.reactions)).toEqual(['bob:❤️']);
  });

  it('refuses a bad limit, type, cursor or id with validation_failed naming the field', async () => {
    const { alice, path } = await room();
    for (const limit of ['0', '-1', '1.5', 'abc', '', String(LIMITS.PAGE_SIZE_MAX + 1)]) {
      expectInvalid(await alice.get(`${path}?limit=${limit}`), ['limit']);
    }
    expectInvalid(await alice.get(`${path}?type=`), ['type']);
    expectInvalid(await alice.get(`${path}?type=${'x'.repeat(LIMITS.REACTION_TYPE_LENGTH + 1)}`), ['type']);
    expectInvalid(await alice.get(`${path}?type=a%00b`), ['type']);
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      '////',
      'not-a-cursor',
      forged(null),
      forged({ t: '0000-01-01T00:00:00Z', id: UNKNOWN_ID }),
      forged({ t: '2024-01-01T00:00:00Z', id: 'not-a-uuid' }),
      forged({ k: '2024-01-01T00:00:00Z', id: UNKNOWN_ID }),
      forged({ t: '2024-01-01T00:00:00Z', id: UNKNOWN_ID, extra: 1 }),
    ]) {
      expectInvalid(await alice.get(`${path}?cursor=${encodeURIComponent(cursor)}`), ['cursor']);
    }
    expectInvalid(await alice.get(`${path}?cursor=${'c'.repeat(513)}`), ['cursor']);
    expectInvalid(await alice.get('/v1/messages/42/reactions'), ['id']);
    expectError(await alice.get(`${path}?user=bob`), 400, 'validation_failed');
    // A well-formed cursor from nowhere is just a place in time.
    const future = forged({ t: '2100-01-01T00:00:00.000000Z', id: UNKNOWN_ID });
    expect((await alice.get(`${path}?cursor=${future}`)).body).toEqual({ reactions: [], next_cursor: null });
  });
});
