import { MODERATION_LIMITS } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { Api, clientId, startTestServer, testAppOn } from './api';
import { channelPath, createChannel, expectError, expectInvalid, send } from './rest-helpers';
import { twoNodesRun, useTwoNodes } from './two-nodes';
import { appOn, closeSockets } from './ws-fixtures';

/**
 * Blocklists: an app's admins and backend keep lists of words, phrases, regexes,
 * domains and emails, each flagging (sent, queued for review), blocking (refused with the list's
 * reason, audited) or masking (`***`) what matches, on every send and edit, REST and socket alike.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(closeSockets);
afterAll(async () => {
  await server?.close();
});

/** An app with alice (an app admin) and bob in a channel. */
async function world() {
  const t = await appOn(server);
  const up = await t.server.post('/v1/users', {
    users: [
      { id: 'alice', name: 'Alice', role: 'admin' },
      { id: 'bob', name: 'Bob' },
    ],
  });
  expect(up.status).toBe(200);
  const [alice, bob] = await Promise.all([t.user('alice'), t.user('bob')]);
  const cid = await createChannel(alice!, `room-${clientId().slice(0, 8)}`, ['bob']);
  const texts = async () =>
    (await alice!.get(`${channelPath(cid)}/messages`)).body.messages.map((m: { text: string }) => m.text);
  return { t, alice: alice!, bob: bob!, cid, texts };
}

async function addList(api: Api, body: Record<string, unknown>) {
  const reply = await api.post('/v1/blocklists', body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body.blocklist as { id: string; entries: string[]; entry_count: number };
}

const post = (api: Api, cid: string, text: string) =>
  api.post(`${channelPath(cid)}/messages`, { client_msg_id: clientId(), text });

describe('blocklist modes', () => {
  it('block: refused with the list’s reason and name, stored nowhere, audited', async () => {
    const { alice, bob, cid, texts } = await world();
    const list = await addList(alice, {
      name: 'Slurs',
      kind: 'word',
      mode: 'block',
      reason: 'Mind your language',
      entries: ['darn', 'heck'],
    });
    const reply = await post(bob, cid, 'well DARN it');
    expectError(reply, 422, 'message_blocked');
    expect(reply.body.error.message).toBe('Mind your language');
    expect(reply.body.error.details).toEqual({ blocklist_id: list.id, blocklist_name: 'Slurs' });
    expect(JSON.stringify(reply.body)).not.toContain('heck');
    expect(await texts()).toEqual([]);
    // Whole words only: a word containing an entry is no match.
    expect((await post(bob, cid, 'darned good hecks')).status).toBe(201);
    const audit = await alice.get('/v1/moderation/audit?action=blocklist.blocked');
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    expect(audit.body.entries).toMatchObject([
      {
        action: 'blocklist.blocked',
        actor: { user_id: 'bob', server: false },
        target_user_id: 'bob',
        cid,
        reason: 'Mind your language',
        details: { blocklist_id: list.id, blocklist_name: 'Slurs', entry: 'darn', on: 'send' },
      },
    ]);
  });

  it('mask: matched spans become *** in what is stored and delivered, on REST and the socket', async () => {
    const { t, alice, bob, cid, texts } = await world();
    await addList(alice, { name: 'Mild', kind: 'word', mode: 'mask', entries: ['darn'] });
    await addList(alice, { name: 'Links', kind: 'domain', mode: 'mask', entries: ['spam.example'] });
    const sent = await send(bob, cid, 'darn, see https://www.spam.example/buy now');
    expect(sent.text).toBe('***, see https://***/buy now');
    const socket = await t.connect('bob');
    const reply = await socket.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'd.a.r.n you' },
    });
    expect(reply.message.text).toBe('*** you');
    expect(await texts()).toEqual(['***, see https://***/buy now', '*** you']);
    void alice;
  });

  it('flag: the message is sent and lands in the review queue as a blocklist report', async () => {
    const { alice, bob, cid } = await world();
    const list = await addList(alice, {
      name: 'Watch',
      kind: 'phrase',
      mode: 'flag',
      reason: 'Possible threat',
      entries: ['meet me after school'],
    });
    const message = await send(bob, cid, 'Meet me... after SCHOOL!');
    expect(message.text).toBe('Meet me... after SCHOOL!');
    const queue = await alice.get('/v1/moderation/queue');
    expect(queue.status, JSON.stringify(queue.body)).toBe(200);
    expect(queue.body.items).toMatchObject([
      {
        message: { id: message.id },
        sources: ['blocklist'],
        reasons: ['Possible threat'],
        status: 'pending',
      },
    ]);
    const item = queue.body.items[0];
    const detail = await alice.get(`/v1/moderation/queue/${item.id}`);
    expect(JSON.stringify(detail.body)).toContain(list.id);
  });

  it('applies to edits, REST and socket: a blocked edit changes nothing, a masked one is stored masked', async () => {
    const { t, alice, bob, cid, texts } = await world();
    await addList(alice, { name: 'No', kind: 'word', mode: 'block', entries: ['forbidden'] });
    await addList(alice, { name: 'Mask', kind: 'regex', mode: 'mask', entries: ['\\d{3}-\\d{4}'] });
    const message = await send(bob, cid, 'hello');
    expectError(
      await bob.patch(`/v1/messages/${message.id}`, { text: 'f o r b i d d e n' }),
      422,
      'message_blocked',
    );
    expect(await texts()).toEqual(['hello']);
    const edited = await bob.patch(`/v1/messages/${message.id}`, { text: 'call 555-1234' });
    expect(edited.body.message.text).toBe('call ***');
    const socket = await t.connect('bob');
    const reply = await socket.request({
      type: 'message.update',
      message_id: message.id,
      message: { text: 'forbidden' },
    });
    expect(reply).toMatchObject({ type: 'error', error: { code: 'message_blocked' } });
    expect(await texts()).toEqual(['call ***']);
  });

  it('an inactive list is kept but not applied; a change applies at once', async () => {
    const { alice, bob, cid } = await world();
    const list = await addList(alice, {
      name: 'Off',
      kind: 'word',
      mode: 'block',
      entries: ['zap'],
      is_active: false,
    });
    expect((await post(bob, cid, 'zap')).status).toBe(201);
    expect((await alice.patch(`/v1/blocklists/${list.id}`, { is_active: true })).status).toBe(200);
    expectError(await post(bob, cid, 'zap'), 422, 'message_blocked');
    const changed = await alice.post(`/v1/blocklists/${list.id}/entries`, { add: ['boom'], remove: ['zap'] });
    expect(changed.body.blocklist.entries).toEqual(['boom']);
    expect((await post(bob, cid, 'zap')).status).toBe(201);
    expectError(await post(bob, cid, 'BOOM'), 422, 'message_blocked');
    expect((await alice.delete(`/v1/blocklists/${list.id}`)).status).toBe(200);
    expect((await post(bob, cid, 'boom')).status).toBe(201);
  });
});

describe('matching: Unicode and evasion', () => {
  const caught = [
    ['case and accents', 'BÁDWORD'],
    ['full-width letters', 'ｂａｄｗｏｒｄ'],
    ['a zero-width space inside', 'bad\u200Bword'],
    ['dots between letters', 'b.a.d.w.o.r.d'],
    ['spaces between letters', 'b a d w o r d'],
    ['repeated letters', 'baaaadwooord'],
    ['leetspeak digits', 'b4dw0rd'],
    ['a Cyrillic look-alike', 'b\u0430dword'],
  ] as const;
  it.each(caught)('catches %s', async (_, text) => {
    const { alice, bob, cid } = await world();
    await addList(alice, { name: 'W', kind: 'word', mode: 'block', entries: ['badword'] });
    expectError(await post(bob, cid, `you ${text}!`), 422, 'message_blocked');
  });

  it('does not catch (documented): a split inside a word, a word inside another, a doubled letter', async () => {
    const { alice, bob, cid } = await world();
    await addList(alice, { name: 'W', kind: 'word', mode: 'block', entries: ['badword', 'god'] });
    for (const text of ['bad word', 'ba.dword', 'superbadword', 'good']) {
      expect((await post(bob, cid, text)).status, text).toBe(201);
    }
  });

  it('domains match hosts and subdomains; emails match addresses', async () => {
    const { alice, bob, cid } = await world();
    await addList(alice, { name: 'D', kind: 'domain', mode: 'block', entries: ['https://Evil.example/'] });
    await addList(alice, { name: 'E', kind: 'email', mode: 'block', entries: ['Spam@Mail.example'] });
    for (const text of ['go to evil.example', 'http://a.b.EVIL.example/x?y', 'write to spam@mail.example']) {
      expectError(await post(bob, cid, text), 422, 'message_blocked');
    }
    for (const text of ['noevil.example is fine', 'evil.example.org too', 'ham@mail.example']) {
      expect((await post(bob, cid, text)).status, text).toBe(201);
    }
  });

  it('an evil regex cannot hang a send: (a+)+$ against 4,000 a’s answers', async () => {
    const { alice, bob, cid } = await world();
    await addList(alice, { name: 'R', kind: 'regex', mode: 'block', entries: ['(a+)+$', '(x+x+)+y'] });
    expect((await post(bob, cid, `${'a'.repeat(4_000)}!`)).status).toBe(201);
    expect((await post(bob, cid, 'x'.repeat(4_000))).status).toBe(201);
    expectError(await post(bob, cid, 'a'.repeat(4_000)), 422, 'message_blocked');
  });
});

describe('management', () => {
  it('refuses bad input naming the entry, and changes nothing', async () => {
    const { alice } = await world();
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: 'R', kind: 'regex', mode: 'block', entries: ['ok', '(a'] }, ['entries', 1]],
      [{ name: 'R', kind: 'regex', mode: 'block', entries: ['(a)\\1'] }, ['entries', 0]],
      [{ name: 'R', kind: 'regex', mode: 'block', entries: ['(?=x)'] }, ['entries', 0]],
      [{ name: 'D', kind: 'domain', mode: 'block', entries: ['not a domain'] }, ['entries', 0]],
      [{ name: 'E', kind: 'email', mode: 'block', entries: ['nobody'] }, ['entries', 0]],
      [{ name: 'W', kind: 'word', mode: 'block', entries: ['!!!'] }, ['entries', 0]],
      [
        {
          name: 'W',
          kind: 'word',
          mode: 'block',
          entries: ['x'.repeat(MODERATION_LIMITS.BLOCKLIST_ENTRY_LENGTH + 1)],
        },
        ['entries', 0],
      ],
      [{ name: 'W', kind: 'word', mode: 'shout', entries: [] }, ['mode']],
      [{ name: '', kind: 'word', mode: 'block' }, ['name']],
    ];
    for (const [body, path] of cases) expectInvalid(await alice.post('/v1/blocklists', body), path);
    const tooMany = Array.from({ length: MODERATION_LIMITS.BLOCKLIST_REGEXES + 1 }, (_, i) => `w${i}x`);
    expectInvalid(
      await alice.post('/v1/blocklists', { name: 'R', kind: 'regex', mode: 'flag', entries: tooMany }),
      ['entries'],
    );
    expect((await alice.get('/v1/blocklists')).body.blocklists).toEqual([]);
    const list = await addList(alice, { name: 'W', kind: 'word', mode: 'block', entries: ['one'] });
    expectInvalid(await alice.patch(`/v1/blocklists/${list.id}`, { entries: ['two', '???'] }), [
      'entries',
      1,
    ]);
    expectError(
      await alice.post('/v1/blocklists', { name: 'W', kind: 'word', mode: 'flag' }),
      409,
      'conflict',
    );
    expect((await alice.get(`/v1/blocklists/${list.id}`)).body.blocklist.entries).toEqual(['one']);
    // Nothing to change is refused; the entries alone are a change (it used to fail with a 500).
    expectError(await alice.patch(`/v1/blocklists/${list.id}`, {}), 400, 'validation_failed');
    const replaced = await alice.patch(`/v1/blocklists/${list.id}`, { entries: ['two', 'three'] });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.blocklist.entries).toEqual(['three', 'two']);
  });

  it('only app admins and the server manage lists; members cannot even read them', async () => {
    const { t, bob } = await world();
    const list = await addList(t.server, { name: 'S', kind: 'word', mode: 'flag', entries: ['secret'] });
    expectError(await bob.get('/v1/blocklists'), 403, 'forbidden');
    expectError(await bob.get(`/v1/blocklists/${list.id}`), 403, 'forbidden');
    expectError(
      await bob.post('/v1/blocklists', { name: 'X', kind: 'word', mode: 'block' }),
      403,
      'forbidden',
    );
    expectError(await bob.delete(`/v1/blocklists/${list.id}`), 403, 'forbidden');
    expect((await t.server.get(`/v1/blocklists/${list.id}`)).body.blocklist.entries).toEqual(['secret']);
  });

  it('tenancy: another app’s lists never apply here and cannot be read or changed', async () => {
    const a = await world();
    const b = await world();
    const theirs = await addList(b.alice, { name: 'B', kind: 'word', mode: 'block', entries: ['shared'] });
    expect((await post(a.bob, a.cid, 'shared')).status).toBe(201);
    expectError(
      await b.bob.post(`${channelPath(b.cid)}/messages`, { client_msg_id: clientId(), text: 'shared' }),
      422,
    );
    expectError(await a.alice.get(`/v1/blocklists/${theirs.id}`), 404, 'not_found');
    expectError(await a.alice.patch(`/v1/blocklists/${theirs.id}`, { mode: 'flag' }), 404, 'not_found');
    expectError(await a.alice.delete(`/v1/blocklists/${theirs.id}`), 404, 'not_found');
    expect((await a.alice.get('/v1/blocklists')).body.blocklists).toEqual([]);
  });
});

// Two nodes over Redis: a list changed through one node applies on the other at once (the bus
// drops its compiled copy), not at its 60 s refresh.
describe.skipIf(!twoNodesRun('blocklists'))('on two nodes', () => {
  const { nodes } = useTwoNodes('lists2');

  it('a list created, changed and switched off through one node applies on the other at once', async () => {
    const [one, two] = nodes as [ChatServer, ChatServer];
    const t = await testAppOn(one);
    await t.server.post('/v1/users', { users: [{ id: 'alice', role: 'admin' }, { id: 'bob' }] });
    const alice = await t.user('alice');
    const cid = await createChannel(alice, 'two-nodes', ['bob']);
    // Bob writes through node two, which compiles the app's lists (none yet) and keeps them.
    const bobOnTwo = new Api(two.url, t.app.api_key, (await t.user('bob')).token);
    expect((await post(bobOnTwo, cid, 'fiddlesticks')).status).toBe(201);

    const list = await addList(alice, {
      name: 'Words',
      kind: 'word',
      mode: 'block',
      entries: ['fiddlesticks'],
    });
    await expect
      .poll(async () => (await post(bobOnTwo, cid, 'oh fiddlesticks')).status, { timeout: 5_000 })
      .toBe(422);

    expect((await alice.post(`/v1/blocklists/${list.id}/entries`, { add: ['balderdash'] })).status).toBe(200);
    await expect
      .poll(async () => (await post(bobOnTwo, cid, 'balderdash')).status, { timeout: 5_000 })
      .toBe(422);

    expect((await alice.patch(`/v1/blocklists/${list.id}`, { is_active: false })).status).toBe(200);
    await expect
      .poll(async () => (await post(bobOnTwo, cid, 'fiddlesticks again')).status, { timeout: 5_000 })
      .toBe(201);
  });
});
