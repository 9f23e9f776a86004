import type { Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { type Api, newTestApp } from './api';
import { channelPath, createChannel, expectError, expectInvalid, ids, send, usersOf } from './rest-helpers';

/**
 * `around`: the page a jump lands on (a quoted or searched message, the first unread). It holds
 * the target with about half the limit older and the rest newer, shifted to stay full at either
 * end of the channel, and says with `has_more` / `has_newer` whether anything lies beyond it.
 */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Sends `count` messages one after another, so their order is the order they were sent in. */
async function sendInOrder(api: Api, cid: string, count: number, prefix: string, extra = {}) {
  const sent: Message[] = [];
  for (let n = 0; n < count; n++) sent.push(await send(api, cid, `${prefix} ${n}`, extra));
  return sent;
}

/**
 * What an around page of `limit` on `all[index]` must hold, said as a window rather than as the
 * server counts it: `limit` consecutive messages (all of them if fewer), placed so the target has
 * floor((limit - 1) / 2) older ones before it, then slid back inside the list where it overhangs.
 */
function expectedWindow(all: Message[], index: number, limit: number) {
  const size = Math.min(limit, all.length);
  const start = Math.max(0, Math.min(index - Math.floor((limit - 1) / 2), all.length - size));
  return {
    ids: ids(all.slice(start, start + size)),
    has_more: start > 0,
    has_newer: start + size < all.length,
  };
}

async function room() {
  const t = await newTestApp();
  const [alice, bob, eve] = await usersOf(t, 'alice', 'bob', 'eve');
  const cid = await createChannel(alice, 'room', ['bob']);
  const list = (query: string, as: Api = bob) => as.get(`${channelPath(cid)}/messages?${query}`);
  return { t, alice, bob, eve, cid, list };
}

describe('GET /v1/channels/{type}/{id}/messages?around=', () => {
  it('centres the page on the target: the smaller half older, the rest newer, oldest first', async () => {
    const { alice, cid, list } = await room();
    const all = await sendInOrder(alice, cid, 20, 'm');

    const odd = await list(`around=${all[10]!.id}&limit=5`);
    expect(odd.status, JSON.stringify(odd.body)).toBe(200);
    expect(ids(odd.body.messages)).toEqual(ids(all.slice(8, 13)));
    expect(odd.body).toMatchObject({ has_more: true, has_newer: true });
    // Even: the extra place goes to the newer side (a limit of 50 gives 24 older and 25 newer).
    const even = await list(`around=${all[10]!.id}&limit=4`);
    expect(ids(even.body.messages)).toEqual(ids(all.slice(9, 13)));
    const fifty = await list(`around=${all[10]!.id}&limit=50`);
    expect(ids(fifty.body.messages)).toEqual(ids(all));
    expect(fifty.body).toMatchObject({ has_more: false, has_newer: false });
    // Without a limit: the default page size (25) holds the whole channel.
    expect(ids((await list(`around=${all[0]!.id}`)).body.messages)).toEqual(ids(all));
  });

  it('near the oldest or the newest, fills the page from the other side', async () => {
    const { alice, cid, list } = await room();
    const all = await sendInOrder(alice, cid, 12, 'm');

    const nearOldest = await list(`around=${all[1]!.id}&limit=6`);
    expect(ids(nearOldest.body.messages)).toEqual(ids(all.slice(0, 6)));
    expect(nearOldest.body).toMatchObject({ has_more: false, has_newer: true });
    const oldest = await list(`around=${all[0]!.id}&limit=3`);
    expect(ids(oldest.body.messages)).toEqual(ids(all.slice(0, 3)));
    expect(oldest.body).toMatchObject({ has_more: false, has_newer: true });

    const nearNewest = await list(`around=${all[10]!.id}&limit=6`);
    expect(ids(nearNewest.body.messages)).toEqual(ids(all.slice(6, 12)));
    expect(nearNewest.body).toMatchObject({ has_more: true, has_newer: false });
    const newest = await list(`around=${all[11]!.id}&limit=4`);
    expect(ids(newest.body.messages)).toEqual(ids(all.slice(8, 12)));
    expect(newest.body).toMatchObject({ has_more: true, has_newer: false });
  });

  it('with limit 1 holds the target alone and still says what lies on each side', async () => {
    const { alice, cid, list } = await room();
    const all = await sendInOrder(alice, cid, 3, 'm');
    const page = async (index: number) => (await list(`around=${all[index]!.id}&limit=1`)).body;
    expect(await page(1)).toEqual({
      messages: [expect.objectContaining({ id: all[1]!.id })],
      has_more: true,
      has_newer: true,
    });
    expect(await page(0)).toMatchObject({ has_more: false, has_newer: true });
    expect(await page(2)).toMatchObject({ has_more: true, has_newer: false });
    const alone = await send(alice, await createChannel(alice, 'alone'), 'only one');
    const single = await alice.get(`/v1/channels/messaging/alone/messages?around=${alone.id}&limit=1`);
    expect(single.body).toMatchObject({ has_more: false, has_newer: false });
    expect(ids(single.body.messages)).toEqual([alone.id]);
  });

  it('has_more and has_newer are exact for every target and limit', async () => {
    const { alice, cid, list } = await room();
    const all = await sendInOrder(alice, cid, 9, 'm');
    for (let index = 0; index < all.length; index++) {
      for (const limit of [1, 2, 3, 4, 5, 8, 9, 10]) {
        const reply = await list(`around=${all[index]!.id}&limit=${limit}`);
        const expected = expectedWindow(all, index, limit);
        const got = {
          ids: ids(reply.body.messages),
          has_more: reply.body.has_more,
          has_newer: reply.body.has_newer,
        };
        expect(got, `around #${index}, limit ${limit}`).toEqual(expected);
      }
    }
  });

  it('shows the messages exactly as the other pages do, a deleted target included', async () => {
    const { alice, bob, cid, list } = await room();
    const all = await sendInOrder(alice, cid, 7, 'm');
    await bob.post(`/v1/messages/${all[2]!.id}/reactions`, { type: '👍' });
    await alice.delete(`/v1/messages/${all[3]!.id}`);

    const page = await list(`around=${all[3]!.id}&limit=5`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    const newest = await list('limit=100');
    // Same shape, reactions (own ones per viewer) and deleted form as the newest page.
    expect(page.body.messages).toEqual(newest.body.messages.slice(1, 6));
    expect(page.body.messages[2]).toMatchObject({ id: all[3]!.id, type: 'deleted', text: '' });
    // Pages without `around` or `after` keep their answer as it was.
    expect(newest.body).not.toHaveProperty('has_newer');
    expect((await list(`before=${all[3]!.id}`)).body).not.toHaveProperty('has_newer');
  });

  it('lists top-level messages only; a thread reply is not on the channel page (404)', async () => {
    const { alice, bob, cid, list } = await room();
    const root = await send(alice, cid, 'root');
    const reply = await send(bob, cid, 'reply', { parent_id: root.id });
    const after = await send(alice, cid, 'after');
    const page = await list(`around=${root.id}`);
    expect(ids(page.body.messages)).toEqual([root.id, after.id]);
    expectError(await list(`around=${reply.id}`), 404, 'not_found');
  });

  it('answers 404 for a message of another channel, of another app, unknown, or truncated away', async () => {
    const { t, alice, cid, list } = await room();
    const old = await send(alice, cid, 'old');
    const other = await createChannel(alice, 'other', ['bob']);
    const elsewhere = await send(alice, other, 'elsewhere');
    const foreign = await newTestApp();
    const [mallory] = await usersOf(foreign, 'alice');
    const theirs = await send(mallory, await createChannel(mallory, 'room'), 'another app');

    for (const target of [elsewhere.id, theirs.id, UNKNOWN_ID]) {
      const reply = await list(`around=${target}`);
      expectError(reply, 404, 'not_found');
      expect(JSON.stringify(reply.body)).not.toContain('another app');
    }
    // Bad input is still a 400 naming the field.
    expectInvalid(await list('around=not-a-uuid'), ['around']);
    expectInvalid(await list(`around=${old.id}&before=${old.id}`), ['around']);
    expectInvalid(await list(`after=${old.id}&around=${old.id}`), ['around']);

    await alice.post(`${channelPath(cid)}/truncate`);
    // What a truncate leaves: its own system message.
    const [cleared] = (await alice.get(`${channelPath(cid)}/messages`)).body.messages;
    expect(cleared).toMatchObject({ type: 'system', system: { kind: 'channel.truncated' } });
    const fresh = await send(alice, cid, 'fresh');
    expectError(await list(`around=${old.id}`), 404, 'not_found');
    const page = await list(`around=${fresh.id}`);
    expect(page.body).toEqual({
      messages: [expect.objectContaining({ id: cleared.id }), expect.objectContaining({ id: fresh.id })],
      has_more: false,
      has_newer: false,
    });
    // The server's token reads the channel too, and gets the same answers.
    expectError(await t.server.get(`${channelPath(cid)}/messages?around=${old.id}`), 404, 'not_found');
    expect(
      ids((await t.server.get(`${channelPath(cid)}/messages?around=${fresh.id}`)).body.messages),
    ).toEqual([cleared.id, fresh.id]);
  });

  it('is refused to whoever may not read the channel, as the other pages are', async () => {
    const { alice, eve, cid, list } = await room();
    const target = await send(alice, cid, 'target');
    expectError(await list(`around=${target.id}`, eve), 404, 'not_found');
    await alice.post(`${channelPath(cid)}/bans`, { user_id: 'bob' });
    const banned = await list(`around=${target.id}`);
    expect(banned.status).toBe((await list('')).status);
    expect(banned.body.error.code).toBe('user_banned');
  });
});

describe('GET /v1/messages/{id}/replies?around=', () => {
  it('pages around a reply within its thread only', async () => {
    const { alice, bob, cid } = await room();
    const root = await send(alice, cid, 'root');
    const otherRoot = await send(alice, cid, 'other root');
    const replies: Message[] = [];
    for (let n = 0; n < 7; n++) {
      replies.push(await send(n % 2 ? alice : bob, cid, `reply ${n}`, { parent_id: root.id }));
      // Interleaved: top-level messages and another thread's replies must not show up.
      await send(alice, cid, `top ${n}`);
      await send(bob, cid, `elsewhere ${n}`, { parent_id: otherRoot.id });
    }
    const around = (parent: string, target: string, limit = 3) =>
      bob.get(`/v1/messages/${parent}/replies?around=${target}&limit=${limit}`);

    const page = await around(root.id, replies[3]!.id);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(ids(page.body.messages)).toEqual(ids(replies.slice(2, 5)));
    expect(page.body).toMatchObject({ has_more: true, has_newer: true });
    const first = await around(root.id, replies[0]!.id, 4);
    expect(ids(first.body.messages)).toEqual(ids(replies.slice(0, 4)));
    expect(first.body).toMatchObject({ has_more: false, has_newer: true });
    const last = await around(root.id, replies[6]!.id, 50);
    expect(ids(last.body.messages)).toEqual(ids(replies));
    expect(last.body).toMatchObject({ has_more: false, has_newer: false });

    // Not a reply of this thread: another thread's reply, a top-level message, the root itself.
    const elsewhere = (await bob.get(`/v1/messages/${otherRoot.id}/replies?limit=1`)).body.messages[0];
    for (const target of [elsewhere.id, otherRoot.id, root.id, UNKNOWN_ID]) {
      expectError(await around(root.id, target), 404, 'not_found');
    }
    // A reply of this thread is not a reply of the other one.
    expectError(await around(otherRoot.id, replies[3]!.id), 404, 'not_found');
  });
});

describe('has_newer on after pages', () => {
  it('says whether newer messages follow, as has_more does going forward', async () => {
    const { alice, cid, list } = await room();
    const all = await sendInOrder(alice, cid, 6, 'm');
    expect((await list(`after=${all[1]!.id}&limit=3`)).body).toMatchObject({
      has_more: true,
      has_newer: true,
    });
    expect((await list(`after=${all[2]!.id}&limit=3`)).body).toMatchObject({
      has_more: false,
      has_newer: false,
    });
    expect((await list(`after=${all[5]!.id}`)).body).toEqual({
      messages: [],
      has_more: false,
      has_newer: false,
    });
  });
});
