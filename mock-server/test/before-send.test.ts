import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { clientId, startTestServer } from './api';
import { channelPath, createChannel, expectError, expectInvalid, send } from './rest-helpers';
import { Receiver } from './webhook-receiver';
import { appOn, closeSockets, type WsTestApp } from './ws-fixtures';

/**
 * The before-send hook: an app's endpoint sees each new message before it is stored, on REST and
 * on the socket, signed like a webhook, and may allow, reject (the sender sees the reason) or
 * rewrite it. A hook that hangs, fails or answers garbage lets the message through (fail open,
 * the default) or refuses it as `unavailable` (fail closed).
 */

let server: ChatServer;
const hook = new Receiver();

beforeAll(async () => {
  server = await startTestServer({ webhooks: { allowCidrs: ['127.0.0.1/32'] } });
  await hook.start();
});
afterEach(closeSockets);
afterAll(async () => {
  await server?.close();
  await hook.close();
});

const answer = (body: unknown, delayMs = 0) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  delayMs,
});

async function chatWithHook(settings: Record<string, unknown> = {}) {
  const t = await appOn(server);
  const [alice] = await t.users('alice', 'bob');
  const cid = await createChannel(alice!, `hooked-${Math.random().toString(36).slice(2, 8)}`, ['bob']);
  const path = `/hooks/${t.app.id}`;
  const set = await t.server.put('/v1/hooks/before-send', {
    url: hook.url.replace('/hooks', path),
    ...settings,
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  const calls = () => hook.at(path);
  const messages = async () =>
    (await alice!.get(`${channelPath(cid)}/messages`)).body.messages.map((m: { text: string }) => m.text);
  return { t, alice: alice!, cid, path, secret: set.body.secret as string, calls, messages };
}

/** Answers the hook requests to one app's path with `reply`. */
function hookAnswers(path: string, reply: ReturnType<typeof answer> | { status: number }) {
  const previous = hook.answer;
  hook.answer = (request) => (request.path === path ? reply : previous(request));
}

describe('before-send hook', () => {
  it('is shown each message, signed, before it is stored; "allow" stores it as sent', async () => {
    const { alice, cid, path, secret, calls, messages } = await chatWithHook();
    hookAnswers(path, answer({ action: 'allow' }));
    const message = await send(alice, cid, 'hello, hook', { custom: { mood: 'fine' } });
    expect(message.text).toBe('hello, hook');
    const [call] = calls();
    const verified = new Webhook(secret).verify(call!.body, call!.headers as Record<string, string>);
    expect(verified).toMatchObject({
      type: 'message.before_send',
      data: {
        cid,
        user: { id: 'alice', name: 'ALICE' },
        message: { text: 'hello, hook', custom: { mood: 'fine' }, parent_id: null },
      },
    });
    expect(await messages()).toEqual(['hello, hook']);
  });

  it('"reject" refuses the message with the hook’s reason, stores nothing and tells no one', async () => {
    const { t, alice, cid, path, messages } = await chatWithHook();
    hookAnswers(path, answer({ action: 'reject', reason: 'No phone numbers, please' }));
    const bob = await t.connect('bob');
    await bob.ok({ type: 'channel.watch', cid });
    const reply = await alice.post(`${channelPath(cid)}/messages`, {
      client_msg_id: clientId(),
      text: 'call 555-0100',
    });
    expectError(reply, 403, 'message_rejected');
    expect(reply.body.error.message).toBe('No phone numbers, please');
    expect(await messages()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.events.filter((e) => e.type === 'message.new')).toEqual([]);
  });

  it('"rewrite" stores the new text and custom data, and that is what members get', async () => {
    const { t, alice, cid, path, messages } = await chatWithHook();
    hookAnswers(path, answer({ action: 'rewrite', text: 'hello ****', custom: { masked: true } }));
    const bob = await t.connect('bob');
    await bob.ok({ type: 'channel.watch', cid });
    const message = await send(alice, cid, 'hello darn');
    expect(message).toMatchObject({ text: 'hello ****', custom: { masked: true } });
    const event = await bob.waitFor((e) => e.type === 'message.new');
    expect(event).toMatchObject({ message: { text: 'hello ****' } });
    expect(await messages()).toEqual(['hello ****']);
  });

  it('works the same on the socket: a rejection is the send’s error', async () => {
    const { t, cid, path, messages } = await chatWithHook();
    hookAnswers(path, answer({ action: 'reject', reason: 'Not here' }));
    const alice = await t.connect('alice');
    const reply = await alice.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'hi' },
    });
    expect(reply).toMatchObject({ type: 'error', error: { code: 'message_rejected', message: 'Not here' } });
    hookAnswers(path, answer({ action: 'rewrite', text: 'rewritten on the socket' }));
    const sent = await alice.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'hi' },
    });
    expect(sent.message.text).toBe('rewritten on the socket');
    expect(await messages()).toEqual(['rewritten on the socket']);
  });

  it('asks once per message: a retried send gets the stored message without asking again', async () => {
    const { alice, cid, path, calls } = await chatWithHook();
    hookAnswers(path, answer({ action: 'rewrite', text: 'first answer' }));
    const body = { client_msg_id: clientId(), text: 'original' };
    const first = await alice.post(`${channelPath(cid)}/messages`, body);
    hookAnswers(path, answer({ action: 'reject', reason: 'changed my mind' }));
    const again = await alice.post(`${channelPath(cid)}/messages`, body);
    expect(again.status).toBe(201);
    expect(again.body.message).toMatchObject({ id: first.body.message.id, text: 'first answer' });
    expect(calls()).toHaveLength(1);
  });

  describe('when the hook fails', () => {
    const failures = [
      ['takes longer than its timeout', answer({ action: 'reject', reason: 'too late' }, 1_500)],
      ['answers 500', { status: 500 }],
      ['answers something that is not JSON', { status: 200, body: '<html>oops</html>' }],
      ['answers JSON that is not a verdict', answer({ action: 'maybe' })],
      ['rewrites into an invalid message', answer({ action: 'rewrite', text: '   ' })],
    ] as const;

    it.each(failures)(
      'fail open (the default): stores the message as sent when the hook %s',
      async (_, reply) => {
        const { alice, cid, path, messages } = await chatWithHook({ timeout_ms: 300 });
        hookAnswers(path, reply);
        await send(alice, cid, 'as sent');
        expect(await messages()).toEqual(['as sent']);
      },
    );

    it.each(failures)(
      'fail closed: refuses it as unavailable (retryable) when the hook %s',
      async (_, reply) => {
        const { alice, cid, path, messages } = await chatWithHook({ timeout_ms: 300, on_failure: 'reject' });
        hookAnswers(path, reply);
        const refused = await alice.post(`${channelPath(cid)}/messages`, {
          client_msg_id: clientId(),
          text: 'x',
        });
        expectError(refused, 503, 'unavailable');
        expect(refused.body.error.retryable).toBe(true);
        expect(await messages()).toEqual([]);
      },
    );

    it('fail closed, but the hook unreachable: refused, and sending works again once it is removed', async () => {
      const t = await appOn(server);
      const [alice] = await t.users('alice');
      const cid = await createChannel(alice!, 'unreachable', []);
      // A port nothing listens on.
      const set = await t.server.put('/v1/hooks/before-send', {
        url: 'http://127.0.0.1:9/nothing',
        on_failure: 'reject',
      });
      expect(set.status).toBe(200);
      const refused = await alice!.post(`${channelPath(cid)}/messages`, {
        client_msg_id: clientId(),
        text: 'x',
      });
      expectError(refused, 503, 'unavailable');
      expect((await t.server.delete('/v1/hooks/before-send')).body).toEqual({ hook: null });
      await send(alice!, cid, 'free again');
    });
  });

  describe('settings', () => {
    it('are read back without the secret, replaced by PUT (keeping the secret), and removed by DELETE', async () => {
      const t = await appOn(server);
      expect((await t.server.get('/v1/hooks/before-send')).body).toEqual({ hook: null });
      const first = await t.server.put('/v1/hooks/before-send', { url: `${hook.url}/a`, timeout_ms: 800 });
      expect(first.body.hook).toMatchObject({
        url: `${hook.url}/a`,
        timeout_ms: 800,
        on_failure: 'allow',
        enabled: true,
      });
      const read = await t.server.get('/v1/hooks/before-send');
      expect(read.body).toEqual({ hook: first.body.hook });
      expect(JSON.stringify(read.body)).not.toContain(first.body.secret);
      const second = await t.server.put('/v1/hooks/before-send', {
        url: `${hook.url}/b`,
        on_failure: 'reject',
      });
      expect(second.body.secret).toBe(first.body.secret);
      expect(second.body.hook).toMatchObject({
        url: `${hook.url}/b`,
        timeout_ms: 1500,
        on_failure: 'reject',
      });
      expect((await t.server.delete('/v1/hooks/before-send')).body).toEqual({ hook: null });
      expect((await t.server.get('/v1/hooks/before-send')).body).toEqual({ hook: null });
    });

    // (localhost is loopback: this server allows 127.0.0.1 for its test receiver.)
    it('refuse a URL the server may not reach, and change nothing', async () => {
      const t = await appOn(server);
      for (const url of ['http://10.0.0.8/hook', 'http://[::1]:8080/hook', 'http://169.254.169.254/x']) {
        expectInvalid(await t.server.put('/v1/hooks/before-send', { url }), ['url']);
      }
      expectInvalid(await t.server.put('/v1/hooks/before-send', { url: `${hook.url}`, timeout_ms: 60_000 }), [
        'timeout_ms',
      ]);
      expect((await t.server.get('/v1/hooks/before-send')).body).toEqual({ hook: null });
    });

    it('a disabled hook is not called', async () => {
      const { t, alice, cid, path, calls } = await chatWithHook();
      hookAnswers(path, answer({ action: 'reject', reason: 'no' }));
      await t.server.put('/v1/hooks/before-send', { url: hook.url.replace('/hooks', path), enabled: false });
      await send(alice, cid, 'unchecked');
      expect(calls()).toHaveLength(0);
    });

    it('are for the app backend only: a user token is refused', async () => {
      const t = await appOn(server);
      const [alice] = await t.users('alice');
      expectError(await alice!.put('/v1/hooks/before-send', { url: `${hook.url}/x` }), 403);
      expect((await t.server.get('/v1/hooks/before-send')).body).toEqual({ hook: null });
    });
  });
});
