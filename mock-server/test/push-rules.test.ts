import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelPath, createChannel, send } from './rest-helpers';
import { settle, startWebPushServer } from './web-push-app';

/**
 * Who gets a push and what it says, through Web Push (each payload decrypted as the browser
 * would): thread replies go to the thread's participants and the mentioned; a muted sender
 * pushes nothing; the badge is the unread total the server reports (muted channels left out);
 * the app's template and privacy mode; a read on another device clears what was shown, once;
 * counters per day.
 */

let h: Awaited<ReturnType<typeof startWebPushServer>>;

beforeAll(async () => {
  h = await startWebPushServer();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

type Received = {
  type: string;
  title?: string;
  body?: string;
  badge: number;
  cid: string;
  message_id?: string;
};
const last = (pushes: unknown[]) => pushes.at(-1) as Received | undefined;

describe('who gets a push', () => {
  it('a thread reply goes to the thread’s participants and the mentioned, not the whole channel', async () => {
    const { user, received } = await h.pushApp('alice', 'bob', 'carol', 'dave', 'erin');
    const cid = await createChannel(user('alice'), 'threads', ['bob', 'carol', 'dave', 'erin']);
    const root = await send(user('alice'), cid, 'Release plan?');
    await expect.poll(() => received('erin').length, { timeout: 15_000 }).toBe(1);
    await send(user('bob'), cid, 'Friday', { parent_id: root.id });
    // alice started the thread: she hears of it.
    await expect.poll(() => received('alice').length, { timeout: 15_000 }).toBe(1);
    await send(user('carol'), cid, 'dave, can you check?', {
      parent_id: root.id,
      mentioned_user_ids: ['dave'],
    });
    // dave is mentioned; alice and bob took part; erin did not.
    await expect.poll(() => received('dave').length, { timeout: 15_000 }).toBe(2);
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(2);
    await expect.poll(() => received('alice').length, { timeout: 15_000 }).toBe(2);
    await settle();
    expect(received('erin')).toHaveLength(1);
    expect(received('carol')).toHaveLength(1);
    expect(last(received('dave'))).toMatchObject({ type: 'message.new', body: 'dave, can you check?' });
  });

  it('a user who muted the sender gets none of their pushes, until unmuted', async () => {
    const { user, received } = await h.pushApp('alice', 'bob', 'carol');
    const muted = await user('carol').post('/v1/users/alice/mute');
    expect(muted.status, JSON.stringify(muted.body)).toBe(200);
    expect(muted.body.mute.user).toMatchObject({ id: 'alice', name: 'ALICE' });
    // Muting again is harmless; it shows in the list.
    expect((await user('carol').post('/v1/users/alice/mute')).status).toBe(200);
    expect(
      (await user('carol').get('/v1/users/me/mutes')).body.mutes.map(
        (m: Received & { user: { id: string } }) => m.user.id,
      ),
    ).toEqual(['alice']);
    // Not oneself, not someone who does not exist; nothing changes.
    expect((await user('carol').post('/v1/users/carol/mute')).status).toBe(400);
    expect((await user('carol').post('/v1/users/nobody/mute')).status).toBe(404);
    expect((await user('carol').delete('/v1/users/nobody/mute')).status).toBe(404);

    const cid = await createChannel(user('alice'), 'muting', ['bob', 'carol']);
    await send(user('alice'), cid, 'from alice');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(1);
    await send(user('bob'), cid, 'from bob');
    await expect.poll(() => received('carol').length, { timeout: 15_000 }).toBe(1);
    expect(last(received('carol'))).toMatchObject({ body: 'from bob' });

    expect((await user('carol').delete('/v1/users/alice/mute')).status).toBe(200);
    expect((await user('carol').get('/v1/users/me/mutes')).body.mutes).toEqual([]);
    await send(user('alice'), cid, 'alice again');
    await expect.poll(() => received('carol').length, { timeout: 15_000 }).toBe(2);
    expect(last(received('carol'))).toMatchObject({ body: 'alice again' });
  });
});

describe('what a push says', () => {
  it('the badge is the unread total the server reports, muted channels left out', async () => {
    const { user, received } = await h.pushApp('alice', 'bob');
    const one = await createChannel(user('alice'), 'badge-one', ['bob']);
    const two = await createChannel(user('alice'), 'badge-two', ['bob']);
    const hushed = await createChannel(user('alice'), 'badge-hushed', ['bob']);
    expect((await user('bob').post(`${channelPath(hushed)}/mute`)).status).toBe(200);
    await send(user('alice'), hushed, 'not counted');
    await send(user('alice'), hushed, 'not counted either');
    await send(user('alice'), one, 'first');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(1);
    await send(user('alice'), two, 'second');
    // (A push's badge is the total when it is sent: a later message may already count.)
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(2);
    await send(user('alice'), two, 'third');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(3);
    const total = (await user('bob').get('/v1/unread')).body.total_unread_count;
    expect(total).toBe(3);
    expect(received('bob').map((p) => (p as Received).badge)).toEqual([1, 2, 3]);
  });

  it('follows the app’s template, and in privacy mode carries ids only', async () => {
    const { t, user, received } = await h.pushApp('alice', 'bob');
    expect((await t.server.get('/v1/push/settings')).body.settings).toEqual({
      title_template: '{{sender}}',
      body_template: '{{text}}',
      include_content: true,
      updated_at: null,
    });
    const set = await t.server.put('/v1/push/settings', {
      title_template: '{{sender}} in {{ channel }}',
      body_template: '“{{text}}”',
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const cid = await createChannel(user('alice'), 'templated', ['bob'], { name: 'Lunch crew' });
    await send(user('alice'), cid, 'Pizza?');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(1);
    expect(last(received('bob'))).toMatchObject({ title: 'ALICE in Lunch crew', body: '“Pizza?”' });
    // A channel without a name (a direct message) is called by the sender's name.
    const nameless = await createChannel(user('alice'), 'nameless', ['bob']);
    await send(user('alice'), nameless, 'psst');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(2);
    expect(last(received('bob'))).toMatchObject({ title: 'ALICE in ALICE', body: '“psst”', tag: nameless });

    // Refused templates change nothing.
    for (const bad of [
      { title_template: '{{sender}} {{secret}}' },
      { body_template: '{{text' },
      { title_template: '' },
      { include_content: 'no' },
      {},
    ]) {
      const reply = await t.server.put('/v1/push/settings', bad);
      expect(reply.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await user('bob').put('/v1/push/settings', { include_content: false })).status).toBe(403);
    expect((await t.server.get('/v1/push/settings')).body.settings).toMatchObject({
      title_template: '{{sender}} in {{ channel }}',
      include_content: true,
    });

    expect((await t.server.put('/v1/push/settings', { include_content: false })).status).toBe(200);
    const secret = await send(user('alice'), cid, 'the code is 1234');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(3);
    const push = last(received('bob'))!;
    expect(push).toEqual({
      type: 'message.new',
      cid,
      message_id: secret.id,
      sender_id: 'alice',
      badge: 3,
      tag: cid,
    });
    expect(JSON.stringify(push)).not.toContain('1234');
  });
});

describe('reads clear pushes', () => {
  it('a read elsewhere sends a silent clear with the new badge to devices shown something, once', async () => {
    const { user, received, subscriptions } = await h.pushApp('alice', 'bob', 'carol');
    const cid = await createChannel(user('alice'), 'clearing', ['bob', 'carol']);
    await send(user('alice'), cid, 'are you there?');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(1);
    const topic = h.service.to(subscriptions.get('bob')!.name)[0]!.headers.topic;

    expect((await user('bob').post(`${channelPath(cid)}/read`, {})).status).toBe(200);
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(2);
    expect(last(received('bob'))).toEqual({ type: 'message.read', cid, badge: 0, tag: cid });
    const [, clear] = h.service.to(subscriptions.get('bob')!.name);
    // The same topic: a push service holding both for a phone that is away keeps the clear only.
    expect(clear!.headers).toMatchObject({ topic, urgency: 'normal' });

    // Reading again clears nothing more; a reader never pushed about the channel is not woken.
    expect((await user('bob').post(`${channelPath(cid)}/read`, {})).status).toBe(200);
    await send(user('bob'), cid, 'yes');
    await expect.poll(() => received('alice').length, { timeout: 15_000 }).toBe(1);
    expect((await user('alice').post(`${channelPath(cid)}/read`, {})).status).toBe(200);
    await expect.poll(() => received('alice').length, { timeout: 15_000 }).toBe(2);
    await settle();
    expect(received('bob')).toHaveLength(2);
    expect(last(received('alice'))).toMatchObject({ type: 'message.read', badge: 0 });
  });

  it('counts what was sent, failed and removed, per day', async () => {
    const { t, user, received, subscriptions } = await h.pushApp('alice', 'bob', 'carol');
    h.service.answers.set(subscriptions.get('carol')!.name, [{ status: 410 }]);
    const cid = await createChannel(user('alice'), 'counted', ['bob', 'carol']);
    await send(user('alice'), cid, 'one');
    await expect.poll(() => received('bob').length, { timeout: 15_000 }).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    await expect
      .poll(async () => (await t.server.get('/v1/push/stats')).body, { timeout: 10_000 })
      .toEqual({
        days: [{ day: today, sent: 1, failed: 0, removed: 1 }],
        total: { sent: 1, failed: 0, removed: 1 },
      });
    expect((await t.server.get('/v1/push/stats?days=0')).status).toBe(400);
    expect((await user('bob').get('/v1/push/stats')).status).toBe(403);
  });
});
