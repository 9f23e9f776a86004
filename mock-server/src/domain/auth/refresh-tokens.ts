import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { LIMITS } from '@chat/protocol';
import { ChatError } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';

/** Thirty days: a user who opens the app once a month stays signed in. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
const TOKEN_BYTES = 32;

export interface IssuedRefreshToken {
  /** The secret to hand to the client; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  /** `app_users.id` of the token's owner. */
  appUserId: string;
}

/**
 * Stores a new refresh token for an app user and returns it. Without `familyId` it starts a new
 * family (a new login session); rotations stay in their family so reuse can revoke all of it.
 */
export async function issueRefreshToken(
  db: AppDb,
  input: { appId: string; appUserId: string; familyId?: string; ttlSeconds?: number },
): Promise<IssuedRefreshToken> {
  const { token, expiresAt } = await insertToken(db, input);
  return { token, expiresAt };
}

/**
 * Trades a refresh token for a new one in the same family. The old token stops working. Presenting
 * a token that was already rotated or revoked means it leaked (or the session ended): the whole
 * family is revoked and `refresh_token_reused` is thrown, so a thief's copy dies with the user's.
 */
export async function rotateRefreshToken(
  db: AppDb,
  input: { appId: string; token: string; ttlSeconds?: number },
): Promise<RotatedRefreshToken> {
  const hash = hashRefreshToken(input.token);
  if (!hash) throw invalidToken();

  const outcome = await db.transaction().execute(async (trx) => {
    // FOR UPDATE: two concurrent rotations of one token must not both succeed.
    const row = await trx
      .selectFrom('refresh_tokens')
      .select(['id', 'app_user_id', 'family_id', 'expires_at', 'revoked_at', 'replaced_by'])
      .where('token', '=', hash)
      .where('app_user_id', 'is not', null)
      .forUpdate()
      .executeTakeFirst();
    if (!row?.app_user_id) return { kind: 'unknown' } as const;

    if (row.revoked_at !== null || row.replaced_by !== null) {
      await revokeFamily(trx, row.family_id);
      // Returned, not thrown: throwing here would roll the revocation back.
      return { kind: 'reused' } as const;
    }
    if (new Date(row.expires_at).getTime() <= Date.now()) return { kind: 'expired' } as const;

    const next = await insertToken(trx, {
      appId: input.appId,
      appUserId: row.app_user_id,
      familyId: row.family_id,
      ttlSeconds: input.ttlSeconds,
    });
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: new Date(), replaced_by: next.id })
      .where('id', '=', row.id)
      .execute();
    return {
      kind: 'rotated',
      token: next.token,
      expiresAt: next.expiresAt,
      appUserId: row.app_user_id,
    } as const;
  });

  switch (outcome.kind) {
    case 'rotated':
      return { token: outcome.token, expiresAt: outcome.expiresAt, appUserId: outcome.appUserId };
    case 'reused':
      throw new ChatError(
        'refresh_token_reused',
        'Refresh token was already used or revoked; the session has been revoked, sign in again',
      );
    case 'expired':
      throw new ChatError('unauthenticated', 'Refresh token has expired; sign in again');
    case 'unknown':
      throw invalidToken();
  }
}

/**
 * Ends the session a refresh token belongs to (logout): every token of its family is revoked.
 * An unknown token is ignored, so the answer never tells whether a token exists.
 */
export async function revokeRefreshToken(db: AppDb, input: { appId: string; token: string }): Promise<void> {
  const hash = hashRefreshToken(input.token);
  if (!hash) return;
  const row = await db
    .selectFrom('refresh_tokens')
    .select('family_id')
    .where('token', '=', hash)
    .executeTakeFirst();
  if (row) await revokeFamily(db, row.family_id);
}

async function insertToken(
  db: AppDb,
  input: { appId: string; appUserId: string; familyId?: string; ttlSeconds?: number },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const ttlSeconds = input.ttlSeconds ?? REFRESH_TOKEN_TTL_SECONDS;
  if (!(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) throw new TypeError('ttlSeconds must be positive');
  const token = newRefreshSecret();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const { id } = await db
    .insertInto('refresh_tokens')
    .values({
      app_id: input.appId,
      app_user_id: input.appUserId,
      // A database leak must not hand out live sessions: store a hash, never the token.
      token: hashRefreshToken(token)!,
      family_id: input.familyId ?? randomUUID(),
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, token, expiresAt };
}

async function revokeFamily(db: AppDb, familyId: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: new Date() })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** A new refresh token (or any single-use secret handed out once): 256 random bits. */
export function newRefreshSecret(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * The stored form of a presented token, or null when it cannot be one of ours. A plain hash is
 * enough: the token is 256 random bits, so there is nothing to brute-force.
 */
export function hashRefreshToken(token: unknown): string | null {
  if (typeof token !== 'string' || token.length === 0 || token.length > LIMITS.TOKEN_LENGTH) return null;
  return createHash('sha256').update(token).digest('hex');
}

function invalidToken(): ChatError {
  return new ChatError('unauthenticated', 'Refresh token is invalid');
}
