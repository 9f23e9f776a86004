import { describe, expect, it } from 'vitest';
import { type Api, newTestApp } from './api';
import {
  channelPath,
  createChannel,
  expectInvalid,
  expectUnknownKey,
  ids,
  send,
  usersOf,
} from './rest-helpers';

interface Msg {
  id: string;
  seq: number;
  text: string;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const bySeq = (a: Msg, b: Msg) => a.seq - b.seq;

/** Sends `count` messages, `concurrency` at a time, alternating senders; returns them in seq order. */
async function sendMany(senders: Api[], cid: string, count: number, prefix: string, concurrency = 25) {
  const sent: Msg[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - start) }, (_, i) => start + i);
    sent.push(
      ...(await Promise.all(batch.map((n) => send(senders[n % senders.length]!, cid, `${prefix} ${n}`)))),
    );
  }
  return sent.sort(bySeq);
}

/** Asserts a page is strictly increasing by seq. */
function expectAscending(page: Msg[]): void {
  for (let i = 1; i < page.length; i++) expect(page[i]!.seq).toBeGreaterThan(page[i - 1]!.seq);
}

describe('message pagination', () => {
  it('pages 1,000 messages backwards and forwards while more arrive: no gap, no duplicate, in seq order', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const cid = await createChannel(alice, 'big', ['bob']);
    const list = (query: string) => bob.get(`${channelPath(cid)}/messages?${query}`);

    const started = Date.now();
    const initial = await sendMany([alice, bob], cid, 1000, 'initial');
    const insertMs = Date.now() - started;
    expect(new Set(initial.map((m) => m.seq)).size).toBe(1000);
    expect(new Set(ids(initial)).size).toBe(1000);

    // A writer keeps sending (a few at a time) until both passes are done.
    const added: Msg[] = [];
    let stop = false;
    const writer = (async () => {
      let n = 0;
      while (!stop || added.length < 50) {
        const batch = await Promise.all(
          Array.from({ length: 3 }, () => send(n++ % 2 ? alice : bob, cid, `concurrent ${n}`)),
        );
        added.push(...batch);
      }
    })();

    // Backwards from the newest message that existed at the start.
    const newest = initial[initial.length - 1]!;
    const backwards: Msg[][] = [];
    let before = newest.id;
    for (let guard = 0; guard < 20; guard++) {
      const page = await list(`before=${before}&limit=100`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      const messages: Msg[] = page.body.messages;
      expectAscending(messages);
      const previous = backwards[backwards.length - 1];
      if (previous?.length) expect(messages[messages.length - 1]!.seq).toBeLessThan(previous[0]!.seq);
      backwards.push(messages);
      if (!page.body.has_more) break;
      expect(messages).toHaveLength(100);
      before = messages[0]!.id;
    }
    const collected = [...backwards].reverse().flat();
    collected.push(newest);
    expect(backwards).toHaveLength(10);
    expect(backwards[backwards.length - 1]).toHaveLength(99);
    expectAscending(collected);
    expect(ids(collected)).toEqual(ids(initial));
    expect(added.length, 'the writer ran during the backward pass').toBeGreaterThan(0);

    // Forwards from the oldest message, through the new ones.
    const forwards: Msg[] = [];
    let after = initial[0]!.id;
    const forwardPage = async () => {
      const page = await list(`after=${after}&limit=100`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      const messages: Msg[] = page.body.messages;
      expectAscending(messages);
      if (forwards.length && messages.length) {
        expect(messages[0]!.seq).toBeGreaterThan(forwards[forwards.length - 1]!.seq);
      }
      forwards.push(...messages);
      if (messages.length) after = messages[messages.length - 1]!.id;
      return page.body.has_more as boolean;
    };
    for (let guard = 0; guard < 50 && (await forwardPage()); guard++);
    stop = true;
    await writer;
    for (let guard = 0; guard < 50 && (await forwardPage()); guard++);

    const everything = [...initial, ...added].sort(bySeq);
    expect(ids(forwards)).toEqual(ids(everything.slice(1)));
    expect(new Set(ids(forwards)).size).toBe(forwards.length);
    // Caught up: nothing after the newest.
    expect((await list(`after=${after}`)).body).toEqual({ messages: [], has_more: false, has_newer: false });

    // The newest page, without a cursor, is the newest messages oldest first.
    const latest = await list('limit=100');
    expect(ids(latest.body.messages)).toEqual(ids(everything.slice(-100)));
    expect(latest.body.has_more).toBe(true);
    const defaultPage = await list('');
    expect(ids(defaultPage.body.messages)).toEqual(ids(everything.slice(-25)));

    console.info(
      `pagination: inserted 1000 messages in ${insertMs} ms; ${added.length} arrived while paging; total ${Date.now() - started} ms`,
    );
  }, 120_000);

  it('has_more is exact at page boundaries', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const cid = await createChannel(alice, 'small');
    const list = (query: string) => alice.get(`${channelPath(cid)}/messages?${query}`);
    expect((await list('')).body).toEqual({ messages: [], has_more: false });
    const sent = await sendMany([alice], cid, 10, 'm', 10);

    expect((await list('limit=10')).body.has_more).toBe(false);
    expect((await list('limit=9')).body.has_more).toBe(true);
    const last = await list(`before=${sent[3]!.id}&limit=3`);
    expect(ids(last.body.messages)).toEqual(ids(sent.slice(0, 3)));
    expect(last.body.has_more).toBe(false);
    const notLast = await list(`before=${sent[4]!.id}&limit=3`);
    expect(ids(notLast.body.messages)).toEqual(ids(sent.slice(1, 4)));
    expect(notLast.body.has_more).toBe(true);
    const tail = await list(`after=${sent[6]!.id}&limit=3`);
    expect(ids(tail.body.messages)).toEqual(ids(sent.slice(7)));
    expect(tail.body.has_more).toBe(false);
    expect((await list(`after=${sent[5]!.id}&limit=3`)).body.has_more).toBe(true);
    expect((await list(`before=${sent[0]!.id}`)).body).toEqual({ messages: [], has_more: false });
    expect((await list(`after=${sent[9]!.id}`)).body).toEqual({
      messages: [],
      has_more: false,
      has_newer: false,
    });
    // A deleted message is still a valid cursor and keeps its place.
    await alice.delete(`/v1/messages/${sent[5]!.id}`);
    const around = await list(`after=${sent[4]!.id}&limit=2`);
    expect(ids(around.body.messages)).toEqual(ids(sent.slice(5, 7)));
    expect(ids((await list(`before=${sent[5]!.id}&limit=1`)).body.messages)).toEqual([sent[4]!.id]);
  });

  it('rejects bad pagination parameters naming the field', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const cid = await createChannel(alice, 'room');
    const other = await createChannel(alice, 'other');
    const here = await send(alice, cid, 'here');
    const elsewhere = await send(alice, other, 'elsewhere');
    const list = (query: string) => alice.get(`${channelPath(cid)}/messages?${query}`);

    expectInvalid(await list('limit=101'), ['limit']);
    expectInvalid(await list('limit=1000'), ['limit']);
    expectInvalid(await list('limit=0'), ['limit']);
    expectInvalid(await list('limit=-1'), ['limit']);
    expectInvalid(await list('limit=2.5'), ['limit']);
    expectInvalid(await list('limit=many'), ['limit']);
    expectInvalid(await list(`before=${here.id}&after=${here.id}`), ['after']);
    expectInvalid(await list(`before=${UNKNOWN_ID}`), ['before']);
    expectInvalid(await list(`after=${UNKNOWN_ID}`), ['after']);
    expectInvalid(await list(`before=${elsewhere.id}`), ['before']);
    expectInvalid(await list('before=not-a-uuid'), ['before']);
    expectInvalid(await list('after=1'), ['after']);
    expectUnknownKey(await list('offset=10'), 'offset');
    // Exactly the maximum is fine.
    expect((await list('limit=100')).status).toBe(200);
    expect((await list(`before=${here.id}&limit=1`)).status).toBe(200);
  });

  it('a cursor from before a truncate still pages only what is visible', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const cid = await createChannel(alice, 'room');
    const old = await sendMany([alice], cid, 5, 'old', 5);
    await alice.post(`${channelPath(cid)}/truncate`);
    const list = (query: string) => alice.get(`${channelPath(cid)}/messages?${query}`);
    // What a truncate leaves: its own system message, then what comes after.
    const [cleared] = (await list('limit=25')).body.messages;
    expect(cleared).toMatchObject({ type: 'system', system: { kind: 'channel.truncated' } });
    const fresh = await sendMany([alice], cid, 3, 'fresh', 1);
    expect(ids((await list(`after=${old[0]!.id}`)).body.messages)).toEqual([cleared.id, ...ids(fresh)]);
    expect(ids((await list(`before=${fresh[0]!.id}`)).body.messages)).toEqual([cleared.id]);
    expect((await list(`before=${cleared.id}`)).body).toEqual({ messages: [], has_more: false });
  });
});
