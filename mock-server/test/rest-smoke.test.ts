import { describe, expect, it } from 'vitest';
import { clientId, newTestApp } from './api';

describe('REST smoke: channels and messages', () => {
  it('creates a channel, sends, lists, edits, reacts and marks read', async () => {
    const t = await newTestApp();
    const [alice, bob] = await t.users('alice', 'bob');
    const created = await alice!.post('/v1/channels', {
      type: 'messaging',
      id: 'trip',
      name: 'Trip',
      members: ['bob'],
    });
    expect(created.status).toBe(201);
    expect(created.body.channel.cid).toBe('messaging:trip');
    expect(created.body.members.map((m: { user_id: string }) => m.user_id).sort()).toEqual(['alice', 'bob']);

    const sent = await alice!.post('/v1/channels/messaging/trip/messages', {
      client_msg_id: clientId(),
      text: 'hello bob',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ text: 'hello bob', user_id: 'alice', cid: 'messaging:trip' });

    const unread = await bob!.get('/v1/unread');
    expect(unread.body).toEqual({
      total_unread_count: 1,
      channels: [{ cid: 'messaging:trip', unread_count: 1, muted: false }],
    });

    const list = await bob!.get('/v1/channels/messaging/trip/messages');
    expect(list.status).toBe(200);
    expect(list.body.messages).toHaveLength(1);

    const edited = await alice!.patch(`/v1/messages/${sent.body.message.id}`, { text: 'hello Bob' });
    expect(edited.status).toBe(200);
    expect(edited.body.message.edited_at).not.toBeNull();

    const reacted = await bob!.post(`/v1/messages/${sent.body.message.id}/reactions`, { type: '👍' });
    expect(reacted.status).toBe(201);
    expect(reacted.body.message.reaction_counts).toEqual({ '👍': 1 });

    const read = await bob!.post('/v1/channels/messaging/trip/read', {});
    expect(read.status).toBe(200);
    expect((await bob!.get('/v1/unread')).body.total_unread_count).toBe(0);

    const search = await bob!.get('/v1/search?query=hello');
    expect(search.status).toBe(200);
    expect(search.body.results).toHaveLength(1);
  });

  it('serves an OpenAPI 3.1 document covering every route', async () => {
    const t = await newTestApp();
    const doc = await t.anonymous.get('/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/v1/channels/{type}/{id}/messages');
  });
});
