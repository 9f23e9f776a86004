import { randomUUID } from 'node:crypto';
import type { PortalSession } from '@chat/protocol';
import { hashRefreshToken, newRefreshSecret } from '../domain/auth/index';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';

/** Two weeks: a customer who opens the portal every few days stays signed in. */
export const PORTAL_SESSION_TTL_SECONDS = 14 * 24 * 3600;
/** Live sessions a customer may hold; a new login beyond it ends the oldest. */
const SESSIONS_MAX = 20;

export interface SessionToken {
  token: string;
  customerId: string;
  sessionId: string;
  expiresAt: Date;
}

/**
 * Portal sessions: one refresh-token family per login, rotated at every refresh. A token
 * presented again after its rotation means it leaked: the whole session ends (as app users'
 * refresh tokens do, domain/auth/refresh-tokens.ts). Access tokens name their session, and every
 * portal request checks it is still live, so logging out or revoking a session takes effect at once.
 */
export async function startSession(
  db: PlatformDb,
  customerId: string,
  origin: { userAgent: string | null; ip: string },
): Promise<SessionToken> {
  const session = await insertToken(db, {
    customerId,
    sessionId: randomUUID(),
    startedAt: new Date(),
    userAgent: origin.userAgent?.slice(0, 256) ?? null,
    ip: origin.ip.slice(0, 64),
  });
  await endSessionsBeyondMax(db, customerId);
  return session;
}

export async function rotateSession(db: PlatformDb, presented: string): Promise<SessionToken> {
  const hash = hashRefreshToken(presented);
  if (!hash) throw invalidToken();
  const outcome = await db.transaction().execute(async (trx) => {
    // FOR UPDATE: two concurrent rotations of one token must not both succeed.
    const row = await trx
      .selectFrom('customer_refresh_tokens')
      .selectAll()
      .where('token', '=', hash)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { kind: 'unknown' } as const;
    if (row.revoked_at !== null || row.replaced_by !== null) {
      await revokeFamily(trx, row.family_id);
      // Returned, not thrown: throwing would roll the revocation back.
      return { kind: 'reused' } as const;
    }
    if (new Date(row.expires_at).getTime() <= Date.now()) return { kind: 'expired' } as const;
    const next = await insertToken(trx, {
      customerId: row.customer_user_id,
      sessionId: row.family_id,
      startedAt: row.session_started_at,
      userAgent: row.user_agent,
      ip: row.ip,
    });
    await trx
      .updateTable('customer_refresh_tokens')
      .set({ revoked_at: new Date(), replaced_by: next.id })
      .where('id', '=', row.id)
      .execute();
    return { kind: 'rotated', next } as const;
  });
  switch (outcome.kind) {
    case 'rotated':
      return outcome.next;
    case 'reused':
      throw new ChatError(
        'refresh_token_reused',
        'Refresh token was already used; the session has been ended, log in again',
      );
    case 'expired':
      throw new ChatError('unauthenticated', 'The session has expired; log in again');
    case 'unknown':
      throw invalidToken();
  }
}

/** Whether the session is live: not ended, not expired, its customer active. One read per request. */
export async function liveSessionEmail(
  db: PlatformDb,
  customerId: string,
  sessionId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('customer_refresh_tokens as t')
    .innerJoin('customer_users as c', 'c.id', 't.customer_user_id')
    .select('c.email')
    .where('t.family_id', '=', sessionId)
    .where('t.customer_user_id', '=', customerId)
    .where('t.revoked_at', 'is', null)
    .where('t.expires_at', '>', new Date())
    .where('c.is_active', '=', true)
    .executeTakeFirst();
  return row?.email;
}

export async function listSessions(
  db: PlatformDb,
  customerId: string,
  currentSessionId: string,
): Promise<PortalSession[]> {
  const rows = await db
    .selectFrom('customer_refresh_tokens')
    .select(['family_id', 'session_started_at', 'created_at', 'expires_at', 'user_agent', 'ip'])
    .where('customer_user_id', '=', customerId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.family_id,
    started_at: new Date(row.session_started_at).toISOString(),
    last_refreshed_at: new Date(row.created_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    user_agent: row.user_agent,
    ip: row.ip,
    current: row.family_id === currentSessionId,
  }));
}

/** Ends one of the customer's sessions; false when the customer has no such live session. */
export async function endSession(db: PlatformDb, customerId: string, sessionId: string): Promise<boolean> {
  const result = await db
    .updateTable('customer_refresh_tokens')
    .set({ revoked_at: new Date() })
    .where('customer_user_id', '=', customerId)
    .where('family_id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends every session of the customer but `keep` (after a password change). */
export async function endOtherSessions(db: PlatformDb, customerId: string, keep: string): Promise<void> {
  await db
    .updateTable('customer_refresh_tokens')
    .set({ revoked_at: new Date() })
    .where('customer_user_id', '=', customerId)
    .where('family_id', '!=', keep)
    .where('revoked_at', 'is', null)
    .execute();
}

async function endSessionsBeyondMax(db: PlatformDb, customerId: string): Promise<void> {
  const live = await db
    .selectFrom('customer_refresh_tokens')
    .select('family_id')
    .where('customer_user_id', '=', customerId)
    .where('revoked_at', 'is', null)
    .orderBy('session_started_at', 'desc')
    .offset(SESSIONS_MAX)
    .execute();
  if (live.length === 0) return;
  await db
    .updateTable('customer_refresh_tokens')
    .set({ revoked_at: new Date() })
    .where(
      'family_id',
      'in',
      live.map((row) => row.family_id),
    )
    .execute();
}

async function insertToken(
  db: PlatformDb,
  input: {
    customerId: string;
    sessionId: string;
    startedAt: Date;
    userAgent: string | null;
    ip: string | null;
  },
): Promise<SessionToken & { id: string }> {
  const token = newRefreshSecret();
  const expiresAt = new Date(Date.now() + PORTAL_SESSION_TTL_SECONDS * 1000);
  const { id } = await db
    .insertInto('customer_refresh_tokens')
    .values({
      customer_user_id: input.customerId,
      token: hashRefreshToken(token)!,
      family_id: input.sessionId,
      expires_at: expiresAt,
      user_agent: input.userAgent,
      ip: input.ip,
      session_started_at: input.startedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, token, customerId: input.customerId, sessionId: input.sessionId, expiresAt };
}

async function revokeFamily(db: PlatformDb, familyId: string): Promise<void> {
  await db
    .updateTable('customer_refresh_tokens')
    .set({ revoked_at: new Date() })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

function invalidToken(): ChatError {
  return new ChatError('unauthenticated', 'Refresh token is invalid');
}
