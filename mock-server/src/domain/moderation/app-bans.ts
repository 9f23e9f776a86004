import type { UserStanding } from '@chat/protocol';
import type { Updateable } from 'kysely';
import type { Publish } from '../../events/published-event';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { AppUsersTable } from '../../store/schema';
import { recordModerationAction } from './audit-log';
import { toStanding } from './user-restrictions';

/**
 * App-wide bans, shadow bans and timeouts, taken by app admins and the app's backend
 * (a server token), each recorded in the audit log in its own transaction. The state lives on the
 * user's `app_users` row, which authentication and every send read anyway (user-restrictions.ts).
 *
 * - A ban: no socket, request, login or refresh until it expires (checked when read) or is
 *   lifted; the user's live sockets on every node are told (`user.banned`) and closed.
 * - A shadow ban: nothing changes for the user, who is never told; what they send from then on is
 *   stored `shadowed` and shown to them alone (messages/send-message.ts, realtime/fanout.ts).
 * - A timeout: no send, reaction or edit until it ends (`timed_out` with `until`).
 *
 * Called inside a caller's transaction (a review action), they write in it and publish when they
 * return, so the caller commits right after.
 */

export interface AppBanOptions {
  /** When the ban lifts by itself; null or absent: until lifted. */
  expires_at?: string | null;
  reason?: string | null;
  /** Shadow-ban instead of banning. */
  shadow?: boolean;
}

/** App-wide moderation belongs to app admins and the app's backend, never to channel roles. */
function requireAppModerator(actor: Actor): void {
  if (!actor.server && actor.role !== 'admin')
    throw forbidden('Only app admins and server-side calls may do this');
}

const inTransaction = <T>(db: AppDb, work: (tx: AppDb) => Promise<T>): Promise<T> =>
  db.isTransaction ? work(db) : db.transaction().execute(work);

/** Changes the user's row and records the action, in one transaction; the row as it is after. */
async function changeUser(
  db: AppDb,
  actor: Actor,
  externalId: string,
  change: Updateable<AppUsersTable>,
  record: { action: string; reason?: string | null; details?: Record<string, unknown> },
) {
  requireAppModerator(actor);
  if (actor.externalId === externalId) {
    throw new ChatError('validation_failed', 'You cannot do this to yourself', {
      issues: [{ path: ['userId'], message: 'You cannot do this to yourself' }],
    });
  }
  return inTransaction(db, async (tx) => {
    const row = await tx
      .updateTable('app_users')
      .set(change)
      .where('external_id', '=', externalId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('User');
    await recordModerationAction(tx, { actor, targetUserId: row.id, ...record });
    return row;
  });
}

/**
 * Tells every node's sockets of the user their shadow standing (so typing stops or resumes being
 * relayed at once); the user's clients are sent nothing.
 */
function announceShadowBan(publish: Publish, appId: string, userId: string, shadowBanned: boolean): void {
  publish({
    appId,
    channelId: null,
    userIds: [userId],
    standing: { shadowBanned },
    event: { type: 'health.check', created_at: new Date().toISOString() },
  });
}

/** Bans a user from the app (or shadow-bans them with `shadow`). */
export async function banFromApp(
  db: AppDb,
  publish: Publish,
  actor: Actor,
  externalId: string,
  opts: AppBanOptions,
): Promise<UserStanding> {
  const reason = opts.reason ?? null;
  if (opts.shadow) {
    const row = await changeUser(
      db,
      actor,
      externalId,
      { shadow_banned: true },
      { action: 'shadow.banned', reason },
    );
    announceShadowBan(publish, actor.appId, row.id, true);
    return toStanding(row);
  }
  const expiresAt = opts.expires_at ? new Date(opts.expires_at) : null;
  const row = await changeUser(
    db,
    actor,
    externalId,
    { app_banned_at: new Date(), app_ban_expires_at: expiresAt, app_ban_reason: reason },
    { action: 'app.banned', reason, details: { expires_at: expiresAt?.toISOString() ?? null } },
  );
  // Every node closes the user's sockets it holds (realtime/fanout.ts) once it hears this.
  publish({
    appId: actor.appId,
    channelId: null,
    userIds: [row.id],
    event: {
      type: 'user.banned',
      expires_at: expiresAt?.toISOString() ?? null,
      reason,
      created_at: new Date().toISOString(),
    },
  });
  return toStanding(row);
}

/** Lifts the app ban, or with `shadow` the shadow ban (messages already shadowed stay so). */
export async function unbanFromApp(
  db: AppDb,
  publish: Publish,
  actor: Actor,
  externalId: string,
  opts: { shadow?: boolean } = {},
): Promise<UserStanding> {
  if (opts.shadow) {
    const row = await changeUser(
      db,
      actor,
      externalId,
      { shadow_banned: false },
      { action: 'shadow.unbanned' },
    );
    announceShadowBan(publish, actor.appId, row.id, false);
    return toStanding(row);
  }
  const row = await changeUser(
    db,
    actor,
    externalId,
    { app_banned_at: null, app_ban_expires_at: null, app_ban_reason: null },
    { action: 'app.unbanned' },
  );
  return toStanding(row);
}

/** Times a user out app-wide until `until`: no send, reaction or edit meanwhile. */
export async function timeOutUser(
  db: AppDb,
  _publish: Publish,
  actor: Actor,
  externalId: string,
  opts: { until: string; reason?: string | null },
): Promise<UserStanding> {
  const until = new Date(opts.until);
  const reason = opts.reason ?? null;
  const row = await changeUser(
    db,
    actor,
    externalId,
    { timed_out_until: until, timeout_reason: reason },
    { action: 'user.timed_out', reason, details: { until: until.toISOString() } },
  );
  return toStanding(row);
}

/** Ends a user's timeout early. */
export async function endTimeout(db: AppDb, actor: Actor, externalId: string): Promise<UserStanding> {
  const row = await changeUser(
    db,
    actor,
    externalId,
    { timed_out_until: null, timeout_reason: null },
    { action: 'user.timeout_ended' },
  );
  return toStanding(row);
}

/** A user's standing, for app admins and the app's backend. */
export async function getStanding(db: AppDb, actor: Actor, externalId: string): Promise<UserStanding> {
  requireAppModerator(actor);
  const row = await db
    .selectFrom('app_users')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) throw notFound('User');
  return toStanding(row);
}
