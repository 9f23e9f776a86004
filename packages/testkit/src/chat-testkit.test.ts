import { ChatClient } from '@chat/core';
import { errorResponse, message, parseServerFrame, type ServerFrame } from '@chat/protocol';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checked, TestkitProtocolError } from './checked';
import { type ChatTestkit, createChatTestkit } from './index';

const seed = {
  users: [{ id: 'alice', name: 'Alice' }, 'bob'],
  channels: [
    {
      type: 'messaging' as const,
      id: 'general',
      members: ['alice', 'bob'],
      messages: [{ user: 'bob', text: 'hello', replies: [{ user: 'alice', text: 'in a thread' }] }],
    },
  ],
};
const kit = createChatTestkit({ seed });
const msw = setupServer(...kit.handlers);
beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
afterAll(() => msw.close());
afterEach(() => kit.reset());

/** A REST call as the SDK makes it: api key header, bearer token of `user`. */
function call(path: string, init: RequestInit & { user?: string; apiKey?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('X-Api-Key', init.apiKey ?? kit.apiKey);
  if (init.user) headers.set('Authorization', `Bearer ${kit.tokenFor(init.user)}`);
  if (init.body) headers.set('Content-Type', 'application/json');
  return fetch(`${kit.baseUrl}${path}`, { ...init, headers });
}

/** A raw socket of the kit, and every frame it received, parsed by the protocol. */
function rawSocket(apiKey = kit.apiKey) {
  const socket = new WebSocket(`${kit.baseUrl.replace('http', 'ws')}/v1/ws?api_key=${apiKey}`);
  const frames: ServerFrame[] = [];
  const waiting = new Set<() => void>();
  socket.addEventListener('message', (event) => {
    const parsed = parseServerFrame(event.data as string);
    if (!parsed.ok) throw new Error(parsed.error.message);
    frames.push(parsed.value);
    for (const wake of waiting) wake();
  });
  const opened = new Promise((resolve) => socket.addEventListener('open', resolve));
  const closed = new Promise<number>((resolve) =>
    socket.addEventListener('close', (event) => resolve(event.code)),
  );
  /** The first frame received that matches, once it has come. */
  const next = (predicate: (f: ServerFrame) => boolean) =>
    new Promise<ServerFrame>((resolve) => {
      const wake = () => {
        const found = frames.find(predicate);
        if (!found) return;
        waiting.delete(wake);
        resolve(found);
      };
      waiting.add(wake);
      wake();
    });
  return { socket, frames, opened, closed, next };
}

describe('REST', () => {
  it('answers an endpoint the kit does not implement with 501 in the protocol’s error shape', async () => {
    const response = await call('/v1/search?query=hello', { user: 'alice' });
    expect(response.status).toBe(501);
    const body = errorResponse.parse(await response.json());
    expect(body.error).toMatchObject({ code: 'unavailable', status: 501, retryable: false });
    expect(body.error.message).toMatch(/GET \/v1\/search \(search\) is not supported by @chat\/testkit/);
  });

  it('refuses a wrong api key, a missing token and an invalid body as the server does', async () => {
    const noKey = await call('/v1/users/me', { user: 'alice', apiKey: 'nope' });
    expect([noKey.status, (await noKey.json()).error.code]).toEqual([401, 'invalid_api_key']);
    const noToken = await call('/v1/users/me');
    expect([noToken.status, (await noToken.json()).error.code]).toEqual([401, 'unauthenticated']);
    const bad = await call('/v1/channels/messaging/general/messages', {
      method: 'POST',
      user: 'alice',
      body: JSON.stringify({ client_msg_id: 'x1', text: '   ' }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.issues[0].path).toEqual(['text']);
    const elsewhere = await call('/v1/nothing-here', { user: 'alice' });
    expect(elsewhere.status).toBe(404);
  });

  it('a send is idempotent by client_msg_id; a channel the user is not in is not found', async () => {
    const send = () =>
      call('/v1/channels/messaging/general/messages', {
        method: 'POST',
        user: 'alice',
        body: JSON.stringify({ client_msg_id: 'twice', text: 'once' }),
      }).then(async (r) => [r.status, message.parse((await r.json()).message).id]);
    const [first, second] = [await send(), await send()];
    expect(first[0]).toBe(201);
    expect(second[1]).toBe(first[1]);
    expect(kit.messages('messaging:general').map((m) => m.text)).toEqual(['hello', 'once']);
    kit.addUser('carol');
    const hidden = await call('/v1/channels/messaging/general', { user: 'carol' });
    expect([hidden.status, (await hidden.json()).error.code]).toEqual([404, 'not_found']);
  });

  it('seeded threads and reply counts read back as the server shapes them', async () => {
    const response = await call('/v1/channels/messaging/general/messages', { user: 'alice' });
    const { messages } = await response.json();
    expect(messages.map((m: { text: string; reply_count: number }) => [m.text, m.reply_count])).toEqual([
      ['hello', 1],
    ]);
    const replies = await call(`/v1/messages/${messages[0].id}/replies`, { user: 'bob' }).then((r) =>
      r.json(),
    );
    expect(replies.messages.map((m: { text: string }) => m.text)).toEqual(['in a thread']);
  });
});

describe('the socket', () => {
  it('authenticates a kit token: ack, then connection.ok with the unread counts', async () => {
    const s = rawSocket();
    await s.opened;
    s.socket.send(JSON.stringify({ type: 'auth', id: '1', token: kit.tokenFor('alice') }));
    const ok = await s.next((f) => f.type === 'connection.ok');
    expect(s.frames[0]).toMatchObject({ type: 'ack', id: '1' });
    expect(ok).toMatchObject({
      user: { id: 'alice', name: 'Alice', online: true },
      unread: { total_unread_count: 1 },
    });
    expect(kit.isOnline('alice')).toBe(true);
    s.socket.close();
  });

  it('refuses a token it did not issue (error, then close 4001) and a wrong api key (close 4001)', async () => {
    const s = rawSocket();
    await s.opened;
    s.socket.send(JSON.stringify({ type: 'auth', id: '1', token: 'someone-elses-token' }));
    await expect(s.closed).resolves.toBe(4001);
    expect(s.frames).toMatchObject([{ type: 'error', id: '1', error: { code: 'unauthenticated' } }]);
    await expect(rawSocket('wrong-key').closed).resolves.toBe(4001);
  });

  it('answers an invalid frame with validation_failed and its id, and a frame before auth with unauthenticated', async () => {
    const s = rawSocket();
    await s.opened;
    s.socket.send(
      JSON.stringify({
        type: 'message.send',
        id: '7',
        cid: 'nope',
        message: { client_msg_id: 'a', text: 'x' },
      }),
    );
    s.socket.send(JSON.stringify({ type: 'ping', id: '8' }));
    await s.next((f) => f.type === 'error' && f.id === '8');
    expect(s.frames).toMatchObject([
      {
        type: 'error',
        id: '7',
        error: { code: 'validation_failed', details: { issues: [{ path: ['cid'] }] } },
      },
      { type: 'error', id: '8', error: { code: 'unauthenticated' } },
    ]);
    s.socket.close();
  });
});

describe('scripting', () => {
  it('what a scripted user does reaches a connected SDK client; seeds start unread', async () => {
    const client = new ChatClient({ apiKey: kit.apiKey, baseUrl: kit.baseUrl });
    await client.connect({ id: 'alice' }, kit.tokenFor('alice'));
    const channel = client.channel('messaging', 'general');
    await channel.watch();
    expect(channel.state.getSnapshot().unreadCount).toBe(1);
    const hi = kit.as('bob').send('messaging:general', 'hi alice');
    kit.as('bob').react(hi.id, '👍');
    await new Promise<void>((resolve) => {
      const stop = channel.state.subscribe(() => {
        if (channel.state.getSnapshot().messages.at(-1)?.reaction_counts['👍'] !== 1) return;
        stop();
        resolve();
      });
    });
    expect(channel.state.getSnapshot().messages.map((m) => m.text)).toEqual(['hello', 'hi alice']);
    expect(() => kit.as('bob').edit(channel.state.getSnapshot().messages[0]!.id, 'mine now')).not.toThrow();
    expect(() => kit.as('alice').edit(hi.id, 'not mine')).toThrow(/Only the author may edit/);
    client.disconnect();
  });

  it('refuses fixtures the protocol cannot carry, naming where they are', () => {
    expect(() =>
      createChatTestkit({ seed: { channels: [{ type: 'messaging', id: 'has space', members: ['a'] }] } }),
    ).toThrow(/invalid seed at channels\[0\]: id: /);
    expect(() =>
      createChatTestkit({
        seed: { users: [{ id: 'x', custom: { __proto__x: 1, nested: { constructor: 1 } } }] },
      }),
    ).toThrow(/invalid seed at users\[0\]/);
    expect(() => kit.as('nobody')).toThrow(/no user "nobody"/);
  });
});

describe('protocol checks', () => {
  it('checked() names the schema’s complaint and refuses what the protocol refuses', () => {
    expect(() => checked(message, { id: 'not-a-uuid' }, 'message')).toThrow(TestkitProtocolError);
    expect(() => checked(message, { id: 'not-a-uuid' }, 'message')).toThrow(/invalid message: id: /);
  });

  it('a kit that writes what the protocol refuses fails loudly: the call answers 500 and the error is reported', async () => {
    const reported: Error[] = [];
    // A clock past what the protocol's timestamps allow (year 10000) makes every stamp invalid.
    const broken: ChatTestkit = createChatTestkit({
      baseUrl: 'http://broken.test',
      seed: { users: ['alice'] },
      now: () => new Date('+010000-01-01T00:00:00Z'),
      onProtocolError: (error) => reported.push(error),
    });
    msw.use(...broken.handlers);
    const response = await fetch(`${broken.baseUrl}/v1/users/me`, {
      headers: { 'X-Api-Key': broken.apiKey, Authorization: `Bearer ${broken.tokenFor('alice')}` },
    });
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe('internal');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(TestkitProtocolError);
    expect(reported[0]!.message).toMatch(/getMe response: user\.created_at/);
    expect(broken.protocolErrors).toEqual(reported);
    msw.resetHandlers();
  });
});
