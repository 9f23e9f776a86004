import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer, until } from '../../test/e2e-harness';
import type { Channel } from '../channel';
import { ConflictError, PermissionError, RateLimitError } from '../errors';
import { moderationOf, slowModeWait } from '../moderation';

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;
let bob: Awaited<ReturnType<typeof connectClient>>;
let carol: Awaited<ReturnType<typeof connectClient>>;
let channels: { alice: Channel; bob: Channel; carol: Channel };

const texts = (channel: Channel) => channel.state.getSnapshot().messages.map((m) => m.text);

/** A call of the app's backend (server token). */
async function asServer(method: string, path: string, body?: unknown) {
  const reply = await fetch(`${h.server.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-api-key': h.apiKey,
      authorization: `Bearer ${await h.serverToken()}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(reply.status, await reply.clone().text()).toBeLessThan(300);
  return reply.json();
}

beforeAll(async () => {
  h = await startServer();
  // alice administers the app: she reviews reports and bans.
  await asServer('POST', '/v1/users', { users: [{ id: 'alice', name: 'Alice', role: 'admin' }] });
  alice = await connectClient(h, 'alice');
  bob = await connectClient(h, 'bob');
  carol = await connectClient(h, 'carol');
  const created = await alice.client.channels.create({
    type: 'team',
    id: 'town-square',
    members: ['alice', 'bob', 'carol'],
  });
  const watch = async (c: typeof alice) => {
    const channel = c.client.channel('team', 'town-square');
    await channel.watch();
    return channel;
  };
  channels = { alice: created, bob: await watch(bob), carol: await watch(carol) };
  await created.watch();
}, 60_000);

afterAll(async () => {
  for (const c of [alice, bob, carol]) c?.client.disconnect();
  await h?.server.close();
});

describe('@chat/core/moderation against the reference server', () => {
  it('bob reports carol’s message once; alice reviews it and deletes it; bob sees it removed by a moderator', async () => {
    const rude = await channels.carol.sendMessage({ text: 'you are all idiots' });
    await until(channels.bob.state, (s) => s.messages.some((m) => m.id === rude.id));

    const report = await moderationOf(bob.client).flagMessage(rude.id, {
      reason: 'harassment',
      note: 'rude',
    });
    expect(report).toMatchObject({ target_kind: 'message', message_id: rude.id, reason: 'harassment' });
    await expect(moderationOf(bob.client).flagMessage(rude.id, { reason: 'spam' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    // A member is no reviewer.
    await expect(moderationOf(bob.client).reviewQueue()).rejects.toBeInstanceOf(PermissionError);

    const moderation = moderationOf(alice.client);
    const { items } = await moderation.reviewQueue({ status: 'pending' });
    const item = items.find((i) => i.message?.id === rude.id);
    expect(item).toMatchObject({ report_count: 1, reasons: ['harassment'], user: { id: 'carol' } });
    const { reports } = await moderation.reviewItem(item!.id);
    expect(reports.map((r) => r.reporter?.id)).toEqual(['bob']);

    const acted = await moderation.act(item!.id, { action: 'delete_message', reason: 'insults' });
    expect(acted.item.status).toBe('resolved');
    const shown = await until(channels.bob.state, (s) =>
      s.messages.some((m) => m.id === rude.id && m.deleted_at !== null),
    );
    expect(shown.messages.find((m) => m.id === rude.id)?.removed_by_moderator).toBe(true);

    const { entries } = await moderation.audit({ action: 'message.deleted' });
    expect(entries[0]).toMatchObject({ message_id: rude.id, actor: { user_id: 'alice' }, reason: 'insults' });
  });

  it('bob blocks carol: the blocked list follows, and her new messages never reach him', async () => {
    const moderation = moderationOf(bob.client);
    await moderation.loadBlocked();
    expect(moderation.blocked.getSnapshot().blocks).toEqual([]);
    await moderation.block('carol');
    expect(moderation.blocked.getSnapshot().ids.has('carol')).toBe(true);
    expect(moderation.blocked.getSnapshot().blocks?.map((b) => b.user.id)).toEqual(['carol']);

    await channels.carol.sendMessage({ text: 'bob cannot see this' });
    const marker = await channels.alice.sendMessage({ text: 'after carol' });
    await until(channels.bob.state, (s) => s.messages.some((m) => m.id === marker.id));
    expect(texts(channels.bob)).not.toContain('bob cannot see this');
    expect(texts(channels.alice)).toContain('bob cannot see this');

    await moderation.unblock('carol');
    expect(moderation.blocked.getSnapshot().ids.size).toBe(0);
    const visible = await channels.carol.sendMessage({ text: 'visible again' });
    await until(channels.bob.state, (s) => s.messages.some((m) => m.id === visible.id));
  });

  it('lists pins newest first, and tells how long slow mode still holds a member back', async () => {
    const first = await channels.alice.sendMessage({ text: 'rules' });
    const second = await channels.alice.sendMessage({ text: 'faq' });
    await channels.alice.pinMessage(first.id);
    await channels.alice.pinMessage(second.id);
    const { messages } = await moderationOf(bob.client).pinnedMessages(channels.bob, { limit: 10 });
    expect(messages.map((m) => m.text)).toEqual(['faq', 'rules']);
    expect(messages[0]).toMatchObject({ pinned: true, pinned_by: 'alice' });

    await expect(moderationOf(bob.client).setSlowMode(channels.bob, 60)).rejects.toBeInstanceOf(
      PermissionError,
    );
    const channel = await moderationOf(alice.client).setSlowMode(channels.alice, 60);
    expect(channel.slow_mode_s).toBe(60);
    await until(channels.carol.state, (s) => s.channel?.slow_mode_s === 60);

    const sent = await channels.carol.sendMessage({ text: 'one message a minute' });
    const wait = slowModeWait(channel, sent.created_at, Date.now());
    expect(wait).toBeGreaterThan(50_000);
    expect(slowModeWait(channel, sent.created_at, Date.now(), true)).toBe(0);
    const refused = await carol.client.http
      .request(
        'sendMessage',
        {
          params: { type: 'team', id: 'town-square' },
          body: { text: 'too soon', client_msg_id: 'slow-1' },
        },
        { idempotent: false },
      )
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).retryAfterMs).toBeGreaterThan(50_000);
    await moderationOf(alice.client).setSlowMode(channels.alice, 0);
  });

  it('an app ban closes carol’s connection for good, and unbanning lets her back', async () => {
    const standing = await moderationOf(alice.client).banFromApp('carol', { reason: 'spam' });
    expect(standing).toMatchObject({ banned: true, ban_reason: 'spam' });
    const closed = await until(carol.client.connection, (c) => c.status === 'disconnected', 10_000);
    expect(closed.error?.code).toBe('app_banned');
    await expect(moderationOf(bob.client).banFromApp('alice')).rejects.toBeInstanceOf(PermissionError);

    const lifted = await moderationOf(alice.client).unbanFromApp('carol');
    expect(lifted.banned).toBe(false);
    const back = await connectClient(h, 'carol');
    expect(back.user.id).toBe('carol');
    back.client.disconnect();
  });
});
