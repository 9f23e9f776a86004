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

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const image = (n = 0) => ({ type: 'image', url: `https://cdn.example/${n}.png` });

/** A channel of alice (admin), bob and carol (members); eve is in the app but not the channel. */
async function room() {
  const t = await newTestApp();
  const [alice, bob, carol, eve] = await usersOf(t, 'alice', 'bob', 'carol', 'eve');
  const cid = await createChannel(alice, 'room', ['bob', 'carol']);
  const other = await createChannel(alice, 'other', ['bob']);
  return { t, alice, bob, carol, eve, cid, other, messagesPath: `${channelPath(cid)}/messages` };
}

async function listTexts(api: Api, cid: string): Promise<string[]> {
  const reply = await api.get(`${channelPath(cid)}/messages?limit=100`);
  expect(reply.status).toBe(200);
  return reply.body.messages.map((m: { text: string }) => m.text);
}

describe('POST /v1/channels/{type}/{id}/messages (send)', () => {
  it('sends a text message and returns it whole', async () => {
    const { alice, bob, cid, messagesPath } = await room();
    const client_msg_id = clientId();
    const sent = await alice.post(messagesPath, {
      client_msg_id,
      text: 'hello 🌍',
      custom: { mood: 'happy' },
    });
    expect(sent.status).toBe(201);
    const message = sent.body.message;
    expect(message).toMatchObject({
      cid,
      client_msg_id,
      type: 'regular',
      text: 'hello 🌍',
      user_id: 'alice',
      user: { id: 'alice', name: 'ALICE' },
      attachments: [],
      mentioned_user_ids: [],
      parent_id: null,
      reply_count: 0,
      quoted_message_id: null,
      quoted_message: null,
      reaction_counts: {},
      own_reactions: [],
      pinned: false,
      pinned_at: null,
      pinned_by: null,
      custom: { mood: 'happy' },
      edited_at: null,
      deleted_at: null,
    });
    expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.seq).toBeGreaterThan(0);

    const fetched = await bob.get(`/v1/messages/${message.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.message).toEqual(message);
    const state = await bob.get(channelPath(cid));
    expect(state.body.channel.last_message_at).toBe(message.created_at);
    expect(state.body.channel.seq).toBeGreaterThanOrEqual(message.seq);
  });

  it('sends attachments with or without text; exactly the limits are accepted', async () => {
    const { alice, cid, messagesPath } = await room();
    const full = {
      type: 'file',
      url: 'https://cdn.example/report.pdf',
      name: 'report.pdf',
      mime_type: 'application/pdf',
      file_size: 12345,
      width: 10,
      height: 20,
      thumb_url: 'http://cdn.example/thumb.png',
    };
    const withFile = await alice.post(messagesPath, { client_msg_id: clientId(), attachments: [full] });
    expect(withFile.status).toBe(201);
    expect(withFile.body.message).toMatchObject({ text: '', attachments: [full] });

    const ten = Array.from({ length: 10 }, (_, i) => image(i));
    const withTen = await alice.post(messagesPath, {
      client_msg_id: clientId(),
      text: 'pics',
      attachments: ten,
    });
    expect(withTen.status).toBe(201);
    expect(withTen.body.message.attachments).toEqual(ten);

    const longest = 'é'.repeat(5000);
    const withLongest = await alice.post(messagesPath, { client_msg_id: clientId(), text: longest });
    expect(withLongest.status).toBe(201);
    expect(withLongest.body.message.text).toBe(longest);
    expect(await listTexts(alice, cid)).toEqual(['', 'pics', longest]);
  });

  it('rejects bad messages naming the field, and stores none of them', async () => {
    const { alice, bob, cid, messagesPath } = await room();
    await send(alice, cid, 'kept');
    const id = clientId;
    const cases: [unknown, (string | number)[]][] = [
      [{ text: 'no client id' }, ['client_msg_id']],
      [{ client_msg_id: 'bad id!?', text: 'x' }, ['client_msg_id']],
      [{ client_msg_id: id() }, ['text']],
      [{ client_msg_id: id(), text: '' }, ['text']],
      [{ client_msg_id: id(), text: ' \n\t ' }, ['text']],
      [{ client_msg_id: id(), attachments: [] }, ['text']],
      [{ client_msg_id: id(), text: 'x'.repeat(5001) }, ['text']],
      [{ client_msg_id: id(), text: 'nul \u0000 inside' }, ['text']],
      [{ client_msg_id: id(), text: 7 }, ['text']],
      [{ client_msg_id: id(), attachments: Array.from({ length: 11 }, (_, i) => image(i)) }, ['attachments']],
      [
        { client_msg_id: id(), attachments: [{ type: 'image', url: 'javascript:alert(1)' }] },
        ['attachments', 0, 'url'],
      ],
      [
        { client_msg_id: id(), attachments: [image(), { type: 'image', url: 'file:///etc/passwd' }] },
        ['attachments', 1, 'url'],
      ],
      [
        { client_msg_id: id(), attachments: [{ ...image(), thumb_url: 'javascript:x' }] },
        ['attachments', 0, 'thumb_url'],
      ],
      [
        { client_msg_id: id(), attachments: [{ type: 'exe', url: 'https://x.example/a' }] },
        ['attachments', 0, 'type'],
      ],
      [
        { client_msg_id: id(), attachments: [{ ...image(), mime_type: 'png' }] },
        ['attachments', 0, 'mime_type'],
      ],
      [{ client_msg_id: id(), attachments: [{ ...image(), width: 0 }] }, ['attachments', 0, 'width']],
      [{ client_msg_id: id(), text: 'x', parent_id: 'not-a-uuid' }, ['parent_id']],
      [{ client_msg_id: id(), text: 'x', quoted_message_id: 'nope' }, ['quoted_message_id']],
      [{ client_msg_id: id(), text: 'x', mentioned_user_ids: ['bad id'] }, ['mentioned_user_ids', 0]],
      [{ client_msg_id: id(), text: 'x', custom: { blob: 'x'.repeat(6000) } }, ['custom']],
    ];
    for (const [body, path] of cases) expectInvalid(await alice.post(messagesPath, body), path);
    expectUnknownKey(
      await alice.post(messagesPath, { client_msg_id: id(), text: 'x', type: 'system' }),
      'type',
    );
    expectUnknownKey(
      await alice.post(messagesPath, { client_msg_id: id(), text: 'x', pinned: true }),
      'pinned',
    );
    expectUnknownKey(
      await alice.post(messagesPath, { client_msg_id: id(), attachments: [{ ...image(), script: 'x' }] }),
      'script',
      ['attachments', 0],
    );
    expectInvalid(await alice.request('POST', messagesPath, `{"client_msg_id":"${id()}","text":"\\udc00"}`), [
      'text',
    ]);
    expectError(await alice.request('POST', messagesPath, '{"client_msg_id":'), 400, 'validation_failed');
    expectError(await alice.request('POST', messagesPath, ''), 400, 'validation_failed');
    expectError(
      await alice.post(messagesPath, { client_msg_id: id(), text: 'x'.repeat(1024 * 1024 + 1) }),
      413,
      'payload_too_large',
    );
    // A user token may not send as someone else.
    expectError(
      await alice.post(messagesPath, { client_msg_id: id(), text: 'x', user_id: 'bob' }),
      403,
      'forbidden',
    );

    expect(await listTexts(bob, cid)).toEqual(['kept']);
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);
  });

  it('answers 404 for unknown channels and to non-members', async () => {
    const { eve, alice, cid, messagesPath } = await room();
    expectError(
      await eve.post(messagesPath, { client_msg_id: clientId(), text: 'let me in' }),
      404,
      'not_found',
    );
    expectError(
      await alice.post('/v1/channels/messaging/nope/messages', { client_msg_id: clientId(), text: 'x' }),
      404,
      'not_found',
    );
    expectInvalid(
      await alice.post('/v1/channels/dm/room/messages', { client_msg_id: clientId(), text: 'x' }),
      ['type'],
    );
    expect(await listTexts(alice, cid)).toEqual([]);
  });

  it('server-side calls send as a named user', async () => {
    const { t, alice, cid, messagesPath } = await room();
    const sent = await t.server.post(messagesPath, {
      client_msg_id: clientId(),
      text: 'from backend',
      user_id: 'bob',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ user_id: 'bob', text: 'from backend' });
    expectInvalid(await t.server.post(messagesPath, { client_msg_id: clientId(), text: 'x' }), ['user_id']);
    expectInvalid(
      await t.server.post(messagesPath, { client_msg_id: clientId(), text: 'x', user_id: 'ghost' }),
      ['user_id'],
    );
    expect(await listTexts(alice, cid)).toEqual(['from backend']);
  });
});

describe('idempotency by client_msg_id', () => {
  it('sending the same client_msg_id twice returns the same message and stores one', async () => {
    const { alice, bob, cid, messagesPath } = await room();
    const client_msg_id = clientId();
    const first = await alice.post(messagesPath, { client_msg_id, text: 'once' });
    const second = await alice.post(messagesPath, { client_msg_id, text: 'once' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.message.id).toBe(first.body.message.id);
    expect(second.body.message.seq).toBe(first.body.message.seq);
    // A retry with another body still answers with what was stored first.
    const changed = await alice.post(messagesPath, { client_msg_id, text: 'twice?' });
    expect(changed.body.message).toMatchObject({ id: first.body.message.id, text: 'once' });

    expect(await listTexts(bob, cid)).toEqual(['once']);
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);
    const state = await bob.get(channelPath(cid));
    expect(state.body.channel.seq).toBe(first.body.message.seq);
  });

  it('ten concurrent identical sends store exactly one message and all answer with its id', async () => {
    const { alice, bob, cid, messagesPath } = await room();
    const client_msg_id = clientId();
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => alice.post(messagesPath, { client_msg_id, text: 'racing' })),
    );
    for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(new Set(replies.map((r) => r.body.message.id)).size).toBe(1);
    expect(await listTexts(bob, cid)).toEqual(['racing']);
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);
    expect((await bob.get(channelPath(cid))).body.channel.seq).toBe(replies[0]!.body.message.seq);
  });

  it('another user with the same client_msg_id gets their own message', async () => {
    const { alice, bob, carol, cid, messagesPath } = await room();
    const client_msg_id = clientId();
    const [a, b] = await Promise.all([
      alice.post(messagesPath, { client_msg_id, text: 'from alice' }),
      bob.post(messagesPath, { client_msg_id, text: 'from bob' }),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.message.id).not.toBe(b.body.message.id);
    expect(b.body.message).toMatchObject({ user_id: 'bob', text: 'from bob', client_msg_id });
    expect((await listTexts(carol, cid)).sort()).toEqual(['from alice', 'from bob']);
  });

  it('a rejected send does not burn its client_msg_id', async () => {
    const { alice, cid, messagesPath } = await room();
    const client_msg_id = clientId();
    await alice.post(`${channelPath(cid)}/freeze`);
    expectError(await alice.post(messagesPath, { client_msg_id, text: 'frozen' }), 403, 'channel_frozen');
    await alice.post(`${channelPath(cid)}/unfreeze`);
    const sent = await alice.post(messagesPath, { client_msg_id, text: 'thawed' });
    expect(sent.status).toBe(201);
    expect(sent.body.message.text).toBe('thawed');
  });
});

describe('GET /v1/messages/{id}', () => {
  it('answers 404 for unknown, foreign or hidden messages and 400 for a bad id', async () => {
    const { alice, eve, cid } = await room();
    const message = await send(alice, cid, 'hi');
    expectError(await alice.get(`/v1/messages/${UNKNOWN_ID}`), 404, 'not_found');
    expectError(await eve.get(`/v1/messages/${message.id}`), 404, 'not_found');
    expectInvalid(await alice.get('/v1/messages/not-a-uuid'), ['id']);
    const other = await newTestApp();
    const [stranger] = await usersOf(other, 'alice');
    expectError(await stranger.get(`/v1/messages/${message.id}`), 404, 'not_found');
  });
});

describe('PATCH /v1/messages/{id} (edit)', () => {
  it('lets the author edit text, attachments, mentions and custom data', async () => {
    const { alice, bob, cid } = await room();
    const message = await send(alice, cid, 'frist', { attachments: [image(1)] });
    const edited = await alice.patch(`/v1/messages/${message.id}`, { text: 'first' });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({ id: message.id, text: 'first', attachments: [image(1)] });
    expect(edited.body.message.edited_at).not.toBeNull();
    expect(edited.body.message.seq).toBe(message.seq);
    expect(edited.body.message.created_at).toBe(message.created_at);

    const more = await alice.patch(`/v1/messages/${message.id}`, {
      attachments: [image(2), image(3)],
      mentioned_user_ids: ['bob', 'bob'],
      custom: { v: 2 },
    });
    expect(more.body.message).toMatchObject({
      text: 'first',
      attachments: [image(2), image(3)],
      mentioned_user_ids: ['bob'],
      custom: { v: 2 },
    });
    // Text can be emptied while attachments remain, and attachments removed while text remains.
    expect((await alice.patch(`/v1/messages/${message.id}`, { text: '' })).status).toBe(200);
    expectInvalid(await alice.patch(`/v1/messages/${message.id}`, { attachments: [] }), ['text']);
    expect((await alice.patch(`/v1/messages/${message.id}`, { text: 'back', attachments: [] })).status).toBe(
      200,
    );

    const seen = await bob.get(`/v1/messages/${message.id}`);
    expect(seen.body.message).toMatchObject({ text: 'back', attachments: [], mentioned_user_ids: ['bob'] });
    // Edits do not move the channel or count as unread.
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);
  });

  it('is for the author only; deleted messages cannot be edited; bad edits change nothing', async () => {
    const { alice, bob, eve, cid } = await room();
    const message = await send(alice, cid, 'original', { mentioned_user_ids: ['carol'] });
    const path = `/v1/messages/${message.id}`;

    // Not even the channel's admin edits someone else's message.
    const bobs = await send(bob, cid, 'by bob');
    expectError(await alice.patch(`/v1/messages/${bobs.id}`, { text: 'hijacked' }), 403, 'forbidden');
    expectError(await bob.patch(path, { text: 'hijacked' }), 403, 'forbidden');
    expectError(await eve.patch(path, { text: 'hijacked' }), 404, 'not_found');
    expectError(await alice.patch(`/v1/messages/${UNKNOWN_ID}`, { text: 'x' }), 404, 'not_found');
    const cases: [unknown, (string | number)[]][] = [
      [{}, []],
      [{ text: 'x'.repeat(5001) }, ['text']],
      [{ text: ' ' }, ['text']],
      [{ attachments: Array.from({ length: 11 }, (_, i) => image(i)) }, ['attachments']],
      [{ attachments: [{ type: 'image', url: 'javascript:alert(1)' }] }, ['attachments', 0, 'url']],
      [{ mentioned_user_ids: ['ghost'] }, ['mentioned_user_ids']],
    ];
    for (const [body, p] of cases) expectInvalid(await alice.patch(path, body), p);
    expectUnknownKey(await alice.patch(path, { text: 'x', user_id: 'bob' }), 'user_id');
    expectUnknownKey(await alice.patch(path, { text: 'x', parent_id: message.id }), 'parent_id');
    expectInvalid(await alice.patch('/v1/messages/not-a-uuid', { text: 'x' }), ['id']);
    expect((await alice.get(path)).body.message).toEqual(message);
    expect((await alice.get(`/v1/messages/${bobs.id}`)).body.message.text).toBe('by bob');

    await alice.delete(path);
    expectError(await alice.patch(path, { text: 'resurrected' }), 409, 'conflict');
    expect((await alice.get(path)).body.message).toMatchObject({ type: 'deleted', text: '' });
  });
});

describe('DELETE /v1/messages/{id} (soft delete)', () => {
  it('lets the author delete: text emptied, type deleted, kept in place in the list', async () => {
    const { alice, bob, cid } = await room();
    const before = await send(alice, cid, 'before');
    const message = await send(alice, cid, 'oops', {
      attachments: [image()],
      mentioned_user_ids: ['bob'],
      custom: { secret: 1 },
    });
    await bob.post(`/v1/messages/${message.id}/reactions`, { type: 'like' });
    const after = await send(alice, cid, 'after');

    const deleted = await alice.delete(`/v1/messages/${message.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.message).toMatchObject({
      id: message.id,
      type: 'deleted',
      text: '',
      attachments: [],
      mentioned_user_ids: [],
      custom: {},
      reaction_counts: {},
    });
    expect(deleted.body.message.deleted_at).not.toBeNull();
    expect(deleted.body.message.reaction_counts).toEqual({});
    expect(deleted.body.message.own_reactions).toEqual([]);
    expect(deleted.body.message.custom).toEqual({});
    expect((await bob.get(`/v1/messages/${message.id}`)).body.message).toMatchObject({
      type: 'deleted',
      text: '',
    });
    const list = await bob.get(`${channelPath(cid)}/messages`);
    expect(ids(list.body.messages)).toEqual([before.id, message.id, after.id]);
    expect(list.body.messages[1]).toMatchObject({ type: 'deleted', text: '' });

    // Deleting again is a no-op; deleted messages take no reactions and no pins.
    const again = await alice.delete(`/v1/messages/${message.id}`);
    expect(again.status).toBe(200);
    expect(again.body.message.deleted_at).toBe(deleted.body.message.deleted_at);
    expectError(await bob.post(`/v1/messages/${message.id}/reactions`, { type: 'like' }), 409, 'conflict');
    expectError(await bob.post(`/v1/messages/${message.id}/pin`), 409, 'conflict');
  });

  it('lets a moderator delete anyone’s message, but not a plain member', async () => {
    const { alice, bob, carol, eve, cid } = await room();
    const bobs = await send(bob, cid, 'by bob');
    expectError(await carol.delete(`/v1/messages/${bobs.id}`), 403, 'forbidden');
    expectError(await eve.delete(`/v1/messages/${bobs.id}`), 404, 'not_found');
    expectError(await alice.delete(`/v1/messages/${UNKNOWN_ID}`), 404, 'not_found');
    expectInvalid(await alice.delete('/v1/messages/nope'), ['id']);
    expect((await carol.get(`/v1/messages/${bobs.id}`)).body.message.type).toBe('regular');

    const byAdmin = await alice.delete(`/v1/messages/${bobs.id}`);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.message).toMatchObject({ type: 'deleted', user_id: 'bob', text: '' });
  });
});

describe('pin and unpin', () => {
  it('pins and unpins, idempotently', async () => {
    const { alice, bob, eve, cid } = await room();
    const message = await send(alice, cid, 'important');
    const pinned = await bob.post(`/v1/messages/${message.id}/pin`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.message).toMatchObject({ pinned: true, pinned_by: 'bob' });
    expect(pinned.body.message.pinned_at).not.toBeNull();
    const again = await alice.post(`/v1/messages/${message.id}/pin`);
    expect(again.body.message).toMatchObject({
      pinned: true,
      pinned_by: 'bob',
      pinned_at: pinned.body.message.pinned_at,
    });
    expect((await alice.get(`/v1/messages/${message.id}`)).body.message.pinned).toBe(true);

    expectError(await eve.post(`/v1/messages/${message.id}/pin`), 404, 'not_found');
    expectError(await eve.delete(`/v1/messages/${message.id}/pin`), 404, 'not_found');
    expectError(await bob.post(`/v1/messages/${UNKNOWN_ID}/pin`), 404, 'not_found');
    expectInvalid(await bob.post('/v1/messages/nope/pin'), ['id']);

    const unpinned = await alice.delete(`/v1/messages/${message.id}/pin`);
    expect(unpinned.body.message).toMatchObject({ pinned: false, pinned_by: null, pinned_at: null });
    expect((await alice.delete(`/v1/messages/${message.id}/pin`)).body.message.pinned).toBe(false);
    expect((await bob.get(`/v1/messages/${message.id}`)).body.message.pinned).toBe(false);
  });
});

describe('threads', () => {
  it('replies count on the root, list under it, and stay out of the channel list and unread counts', async () => {
    const { alice, bob, eve, cid } = await room();
    const root = await send(alice, cid, 'root');
    const r1 = await send(bob, cid, 'reply one', { parent_id: root.id });
    expect(r1).toMatchObject({ parent_id: root.id, text: 'reply one' });
    expect((await alice.get(`/v1/messages/${root.id}`)).body.message.reply_count).toBe(1);
    const r2 = await send(alice, cid, 'reply two', { parent_id: root.id });
    const r3 = await send(bob, cid, 'reply three', { parent_id: root.id });
    expect((await bob.get(`/v1/messages/${root.id}`)).body.message.reply_count).toBe(3);

    const replies = await bob.get(`/v1/messages/${root.id}/replies`);
    expect(replies.status).toBe(200);
    expect(ids(replies.body.messages)).toEqual([r1.id, r2.id, r3.id]);
    expect(replies.body.has_more).toBe(false);
    const newest = await bob.get(`/v1/messages/${root.id}/replies?limit=2`);
    expect(ids(newest.body.messages)).toEqual([r2.id, r3.id]);
    expect(newest.body.has_more).toBe(true);
    expect(ids((await bob.get(`/v1/messages/${root.id}/replies?before=${r2.id}`)).body.messages)).toEqual([
      r1.id,
    ]);
    expect(ids((await bob.get(`/v1/messages/${root.id}/replies?after=${r1.id}`)).body.messages)).toEqual([
      r2.id,
      r3.id,
    ]);
    expect((await bob.get(`/v1/messages/${r1.id}/replies`)).body.messages).toEqual([]);

    expect(ids((await bob.get(`${channelPath(cid)}/messages`)).body.messages)).toEqual([root.id]);
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);
    expect((await alice.get(channelPath(cid))).body.channel.last_message_at).toBe(root.created_at);

    expectError(await eve.get(`/v1/messages/${root.id}/replies`), 404, 'not_found');
    expectError(await bob.get(`/v1/messages/${UNKNOWN_ID}/replies`), 404, 'not_found');
    expectInvalid(await bob.get(`/v1/messages/${root.id}/replies?limit=101`), ['limit']);
    expectInvalid(await bob.get(`/v1/messages/${root.id}/replies?before=${r1.id}&after=${r2.id}`), ['after']);
  });

  it('refuses replies to replies, to deleted roots and to messages of other channels', async () => {
    const { alice, bob, cid, other, messagesPath } = await room();
    const root = await send(alice, cid, 'root');
    const reply = await send(bob, cid, 'reply', { parent_id: root.id });
    const elsewhere = await send(alice, other, 'elsewhere');
    const gone = await send(alice, cid, 'gone');
    await alice.delete(`/v1/messages/${gone.id}`);

    for (const parent_id of [reply.id, elsewhere.id, gone.id, UNKNOWN_ID]) {
      expectInvalid(await bob.post(messagesPath, { client_msg_id: clientId(), text: 'x', parent_id }), [
        'parent_id',
      ]);
    }
    expect((await bob.get(`/v1/messages/${root.id}`)).body.message.reply_count).toBe(1);
    expect((await bob.get(`/v1/messages/${reply.id}`)).body.message.reply_count).toBe(0);
    expect((await bob.get(`/v1/messages/${elsewhere.id}`)).body.message.reply_count).toBe(0);
    expect((await bob.get(`/v1/messages/${root.id}/replies`)).body.messages).toHaveLength(1);
  });
});

describe('quoted replies', () => {
  it('embeds the quoted message one level deep', async () => {
    const { alice, bob, cid, other, messagesPath } = await room();
    const quoted = await send(alice, cid, 'quote me', { attachments: [image()] });
    const quoting = await send(bob, cid, 'quoting', { quoted_message_id: quoted.id });
    expect(quoting.quoted_message_id).toBe(quoted.id);
    expect(quoting.quoted_message).toMatchObject({
      id: quoted.id,
      text: 'quote me',
      user_id: 'alice',
      attachments: [image()],
    });
    expect(quoting.quoted_message).not.toHaveProperty('quoted_message');
    const nested = await send(alice, cid, 'nested', { quoted_message_id: quoting.id });
    expect(nested.quoted_message).toMatchObject({ id: quoting.id, quoted_message_id: quoted.id });
    expect(nested.quoted_message).not.toHaveProperty('quoted_message');

    const listed = await alice.get(`${channelPath(cid)}/messages`);
    expect(listed.body.messages[1].quoted_message).toMatchObject({ id: quoted.id, text: 'quote me' });

    // A deleted quoted message shows as deleted.
    await alice.delete(`/v1/messages/${quoted.id}`);
    expect((await bob.get(`/v1/messages/${quoting.id}`)).body.message.quoted_message).toMatchObject({
      id: quoted.id,
      type: 'deleted',
      text: '',
    });

    const elsewhere = await send(alice, other, 'elsewhere');
    for (const quoted_message_id of [elsewhere.id, UNKNOWN_ID]) {
      expectInvalid(
        await bob.post(messagesPath, { client_msg_id: clientId(), text: 'x', quoted_message_id }),
        ['quoted_message_id'],
      );
    }
    expect(await listTexts(alice, cid)).toEqual(['', 'quoting', 'nested']);
  });
});

describe('mentions', () => {
  it('stores mentions of known users, deduplicated; unknown users are refused', async () => {
    const { alice, bob, cid, messagesPath } = await room();
    const sent = await send(alice, cid, '@bob @eve', { mentioned_user_ids: ['bob', 'eve', 'bob'] });
    expect(sent.mentioned_user_ids.sort()).toEqual(['bob', 'eve']);
    const unknown = await alice.post(messagesPath, {
      client_msg_id: clientId(),
      text: '@ghost',
      mentioned_user_ids: ['bob', 'ghost'],
    });
    expectInvalid(unknown, ['mentioned_user_ids']);
    expect(unknown.body.error.message).toContain('ghost');
    expectInvalid(
      await alice.post(messagesPath, {
        client_msg_id: clientId(),
        text: 'everyone',
        mentioned_user_ids: Array.from({ length: 51 }, (_, i) => `u${i}`),
      }),
      ['mentioned_user_ids'],
    );
    expect(await listTexts(bob, cid)).toEqual(['@bob @eve']);
    expect((await alice.get('/v1/users?ids=ghost')).body.users).toEqual([]);
  });
});

describe('reactions', () => {
  it('one per user per type, counted per emoji, own reactions per viewer', async () => {
    const { alice, bob, carol, cid } = await room();
    const message = await send(alice, cid, 'react to me');
    const path = `/v1/messages/${message.id}/reactions`;

    const first = await bob.post(path, { type: '👍' });
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ reaction_counts: { '👍': 1 }, own_reactions: ['👍'] });
    const twice = await bob.post(path, { type: '👍' });
    expect(twice.status).toBe(201);
    expect(twice.body.message.reaction_counts).toEqual({ '👍': 1 });

    await bob.post(path, { type: '❤️' });
    await alice.post(path, { type: '👍' });
    const third = await carol.post(path, { type: 'thumbs_up' });
    expect(third.body.message).toMatchObject({
      reaction_counts: { '👍': 2, '❤️': 1, thumbs_up: 1 },
      own_reactions: ['thumbs_up'],
    });
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => carol.post(path, { type: '🎉' })));
    for (const reply of concurrent) expect(reply.status).toBe(201);

    const own = async (api: Api) => (await api.get(`/v1/messages/${message.id}`)).body.message.own_reactions;
    expect(await own(bob)).toEqual(['👍', '❤️']);
    expect(await own(alice)).toEqual(['👍']);
    expect((await own(carol)).sort()).toEqual(['thumbs_up', '🎉'].sort());
    expect((await alice.get(`/v1/messages/${message.id}`)).body.message.reaction_counts).toEqual({
      '👍': 2,
      '❤️': 1,
      thumbs_up: 1,
      '🎉': 1,
    });

    const removed = await bob.delete(`${path}/${encodeURIComponent('👍')}`);
    expect(removed.status).toBe(200);
    expect(removed.body.message).toMatchObject({ own_reactions: ['❤️'] });
    expect(removed.body.message.reaction_counts).toEqual({ '👍': 1, '❤️': 1, thumbs_up: 1, '🎉': 1 });
    const removedAgain = await bob.delete(`${path}/${encodeURIComponent('👍')}`);
    expect(removedAgain.status).toBe(200);
    expect(removedAgain.body.message.reaction_counts['👍']).toBe(1);
    await alice.delete(`${path}/${encodeURIComponent('👍')}`);
    expect((await alice.get(`/v1/messages/${message.id}`)).body.message.reaction_counts).toEqual({
      '❤️': 1,
      thumbs_up: 1,
      '🎉': 1,
    });
    // The message list carries the same counts.
    const listed = (await bob.get(`${channelPath(cid)}/messages`)).body.messages[0];
    expect(listed).toMatchObject({
      reaction_counts: { '❤️': 1, thumbs_up: 1, '🎉': 1 },
      own_reactions: ['❤️'],
    });
  });

  it('rejects bad reactions and outsiders, changing nothing', async () => {
    const { t, alice, bob, eve, cid } = await room();
    const message = await send(alice, cid, 'react to me');
    const path = `/v1/messages/${message.id}/reactions`;
    await bob.post(path, { type: 'like' });
    expectInvalid(await bob.post(path, { type: '' }), ['type']);
    expectInvalid(await bob.post(path, { type: 'x'.repeat(33) }), ['type']);
    expectInvalid(await bob.post(path, { type: 'a\u0000b' }), ['type']);
    expectInvalid(await bob.post(path, {}), ['type']);
    expectUnknownKey(await bob.post(path, { type: 'like', user_id: 'alice' }), 'user_id');
    expectInvalid(await bob.delete(`${path}/${'x'.repeat(33)}`), ['reaction']);
    expectInvalid(await bob.post('/v1/messages/nope/reactions', { type: 'like' }), ['id']);
    expectError(await bob.post(`/v1/messages/${UNKNOWN_ID}/reactions`, { type: 'like' }), 404, 'not_found');
    expectError(await eve.post(path, { type: 'like' }), 404, 'not_found');
    expectError(await eve.delete(`${path}/like`), 404, 'not_found');
    expectError(await t.server.post(path, { type: 'like' }), 403, 'forbidden');
    const after = (await bob.get(`/v1/messages/${message.id}`)).body.message;
    expect(after).toMatchObject({ reaction_counts: { like: 1 }, own_reactions: ['like'] });
  });
});
