import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, getTestStore } from '../../../test/harness';
import { ChatError } from '../../kernel/errors';
import { scopeToApp } from '../../store/app-scope';
import type { Database } from '../../store/schema';
import { issueRefreshToken, revokeRefreshToken, rotateRefreshToken } from './refresh-tokens';

let db: Kysely<Database>;
let appA: { id: string };
let appB: { id: string };

beforeAll(async () => {
  ({ db } = await getTestStore());
  appA = await createTestApp(db);
  appB = await createTestApp(db);
});

/** What the domain gets in the server: the database scoped to one application. */
const scoped = (appId: string) => scopeToApp(db, appId);

let userCounter = 0;
async function createUser(appId: string): Promise<string> {
  userCounter += 1;
  const row = await db
    .insertInto('app_users')
    .values({ app_id: appId, external_id: `refresh-user-${userCounter}`, custom: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatError);
  return (error as ChatError).body.code;
}

describe('refresh tokens', () => {
  it('stores only a hash of the token, with a 30-day expiry by default', async () => {
    const appUserId = await createUser(appA.id);
    const before = Date.now();
    const { token, expiresAt } = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const days = (expiresAt.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);

    const rows = await db
      .selectFrom('refresh_tokens')
      .select('token')
      .where('app_user_id', '=', appUserId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token).not.toBe(token);
    expect(rows[0]!.token).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('starts a new family per login', async () => {
    const appUserId = await createUser(appA.id);
    await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    const families = await db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('app_user_id', '=', appUserId)
      .execute();
    expect(new Set(families.map((f) => f.family_id)).size).toBe(2);
  });

  it('rotation gives a new working token and the old one stops working', async () => {
    const appUserId = await createUser(appA.id);
    const first = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    const second = await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: first.token });
    expect(second.token).not.toBe(first.token);
    expect(second.appUserId).toBe(appUserId);
    expect(second.expiresAt.getTime()).toBeGreaterThan(Date.now());

    const third = await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: second.token });
    expect(third.appUserId).toBe(appUserId);
    // The first token was rotated away: presenting it again is reuse.
    expect(await codeOf(rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: first.token }))).toBe(
      'refresh_token_reused',
    );
  });

  it('reuse of a rotated token revokes the whole family, including the newest token', async () => {
    const appUserId = await createUser(appA.id);
    const stolen = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    const legit = await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: stolen.token });

    expect(await codeOf(rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: stolen.token }))).toBe(
      'refresh_token_reused',
    );
    // The revocation survived the error (it was not rolled back with it).
    const live = await db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('app_user_id', '=', appUserId)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toHaveLength(0);
    await expect(
      rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: legit.token }),
    ).rejects.toBeInstanceOf(ChatError);
  });

  it('reuse revokes only its own family, not other sessions of the user', async () => {
    const appUserId = await createUser(appA.id);
    const phone = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    const laptop = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: phone.token });
    await codeOf(rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: phone.token }));
    const next = await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: laptop.token });
    expect(next.appUserId).toBe(appUserId);
  });

  it("refuses app A's token presented for app B, and leaves it working for app A", async () => {
    const appUserId = await createUser(appA.id);
    const issued = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    expect(await codeOf(rotateRefreshToken(scoped(appB.id), { appId: appB.id, token: issued.token }))).toBe(
      'unauthenticated',
    );
    // Logout through the wrong app is a silent no-op, too.
    await revokeRefreshToken(scoped(appB.id), { appId: appB.id, token: issued.token });
    const rotated = await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: issued.token });
    expect(rotated.appUserId).toBe(appUserId);
  });

  it('refuses an expired token', async () => {
    const appUserId = await createUser(appA.id);
    const issued = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    await db
      .updateTable('refresh_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('app_user_id', '=', appUserId)
      .execute();
    expect(await codeOf(rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: issued.token }))).toBe(
      'unauthenticated',
    );
  });

  it('refuses unknown, empty and oversize tokens', async () => {
    for (const token of ['never-issued-token-value', '', 'x'.repeat(5000)]) {
      expect(await codeOf(rotateRefreshToken(scoped(appA.id), { appId: appA.id, token }))).toBe(
        'unauthenticated',
      );
    }
  });

  it('logout revokes the session: neither the token nor its rotations work afterwards', async () => {
    const appUserId = await createUser(appA.id);
    const first = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId });
    const second = await rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: first.token });
    await revokeRefreshToken(scoped(appA.id), { appId: appA.id, token: second.token });
    await expect(
      rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: second.token }),
    ).rejects.toBeInstanceOf(ChatError);
    await expect(
      rotateRefreshToken(scoped(appA.id), { appId: appA.id, token: first.token }),
    ).rejects.toBeInstanceOf(ChatError);
  });

  it('logout with an unknown token is a silent no-op', async () => {
    await expect(
      revokeRefreshToken(scoped(appA.id), { appId: appA.id, token: 'never-issued-token-value' }),
    ).resolves.toBe(undefined);
    await expect(revokeRefreshToken(scoped(appA.id), { appId: appA.id, token: '' })).resolves.toBe(undefined);
  });

  it('issues with a custom lifetime and refuses a non-positive one', async () => {
    const appUserId = await createUser(appA.id);
    const issued = await issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId, ttlSeconds: 60 });
    expect(issued.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    await expect(
      issueRefreshToken(scoped(appA.id), { appId: appA.id, appUserId, ttlSeconds: 0 }),
    ).rejects.toThrow(TypeError);
  });
});
