import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { Api, startTestServer } from './api';
import { type Customer, expectPortalError, join, newTeam, signUp } from './portal-client';
import { createChannel, send } from './rest-helpers';

/**
 * Support views: the staff of an application's team (owner, admin, moderator) read its users,
 * channels, messages and moderation queue through the portal, each view audit-logged; other roles
 * may not; another application's data never shows.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 1_000 } });
});
afterAll(() => server?.close());

async function appWithChat(owner: Customer, teamId: string, word: string) {
  const made = await owner.api.post(`/teams/${teamId}/apps`, { name: `App ${word}` });
  const { id, api_key } = made.body.application;
  const secret = made.body.api_secret as string;
  const backend = new Api(server.url, api_key, await createServerToken(secret));
  await backend.post('/v1/users', { users: [{ id: `ann-${word}`, name: 'Ann' }, { id: `ben-${word}` }] });
  const ann = new Api(server.url, api_key, await createUserToken(secret, `ann-${word}`));
  const ben = new Api(server.url, api_key, await createUserToken(secret, `ben-${word}`));
  const cid = await createChannel(ann, `room-${word}`, [`ben-${word}`]);
  const message = await send(ann, cid, `the ${word} secret recipe`);
  const report = await ben.post(`/v1/messages/${message.id}/report`, { reason: 'spam' });
  expect(report.status, JSON.stringify(report.body)).toBeLessThan(300);
  return { id, cid, messageId: message.id };
}

describe('support views', () => {
  it("show the team's staff an application's users, channels, messages and queue, each view audited", async () => {
    const owner = await signUp(server.url, 'owner');
    const moderator = await signUp(server.url, 'moderator');
    const teamId = await newTeam(owner);
    await join(owner, teamId, moderator, 'moderator');
    const a = await appWithChat(owner, teamId, 'alpha');
    const b = await appWithChat(owner, teamId, 'beta');

    const base = `/apps/${a.id}/support`;
    const users = await moderator.api.get(`${base}/users?q=ann`);
    expect(users.status).toBe(200);
    expect(users.body.users.map((u: { id: string }) => u.id)).toEqual(['ann-alpha']);
    const channels = await moderator.api.post(`${base}/channels/query`, {});
    expect(channels.status).toBe(200);
    expect(channels.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid)).toEqual([a.cid]);
    const found = await moderator.api.get(`${base}/messages?query=recipe`);
    expect(found.status).toBe(200);
    expect(found.body.results.map((r: { message: { id: string } }) => r.message.id)).toEqual([a.messageId]);
    const queue = await moderator.api.get(`${base}/review-items`);
    expect(queue.status).toBe(200);
    expect(JSON.stringify(queue.body)).toContain(a.messageId);
    expect(JSON.stringify(queue.body)).not.toContain(b.messageId);

    const audit = await server.store.db
      .selectFrom('portal_audit')
      .select(['action', 'customer_user_id', 'details'])
      .where('application_id', '=', a.id)
      .where('action', 'like', 'support.%')
      .orderBy('created_at')
      .execute();
    expect(audit.map((row) => row.action)).toEqual([
      'support.users_viewed',
      'support.channels_viewed',
      'support.messages_viewed',
      'support.review_items_viewed',
    ]);
    expect(audit.every((row) => row.customer_user_id === moderator.id)).toBe(true);
    expect(audit[2]!.details).toEqual({ query: 'recipe' });
  });

  it('are refused to developers and viewers, and bad queries are refused before anything is read', async () => {
    const owner = await signUp(server.url, 'owner');
    const developer = await signUp(server.url, 'developer');
    const viewer = await signUp(server.url, 'viewer');
    const teamId = await newTeam(owner);
    await join(owner, teamId, developer, 'developer');
    await join(owner, teamId, viewer, 'viewer');
    const a = await appWithChat(owner, teamId, 'gamma');
    for (const who of [developer, viewer]) {
      expectPortalError(await who.api.get(`/apps/${a.id}/support/users`), 403, 'forbidden');
      expectPortalError(await who.api.get(`/apps/${a.id}/support/messages?query=recipe`), 403, 'forbidden');
    }
    expectPortalError(
      await owner.api.get(`/apps/${a.id}/support/users?limit=100000`),
      400,
      'validation_failed',
    );
    expectPortalError(await owner.api.get(`/apps/${a.id}/support/messages`), 400, 'validation_failed');
    expectPortalError(await owner.api.get(`/apps/${a.id}/support/users?bogus=1`), 400, 'validation_failed');
    const audited = await server.store.db
      .selectFrom('portal_audit')
      .select('action')
      .where('application_id', '=', a.id)
      .where('action', 'like', 'support.%')
      .execute();
    expect(audited).toEqual([]);
  });
});
