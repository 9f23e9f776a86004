import type { UserStanding } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { AppUserRow, MessageRow } from '../../store/schema';

/**
 * What an app-wide ban, a shadow ban or a timeout makes of a user, read from the `app_users` row
 * the caller already holds (authentication and a send read it anyway): no statement of its own.
 * Expiry is checked here, when read, so nothing has to run to lift a ban or a timeout.
 */
export type RestrictionColumns = Pick<
  AppUserRow,
  | 'external_id'
  | 'app_banned_at'
  | 'app_ban_expires_at'
  | 'app_ban_reason'
  | 'shadow_banned'
  | 'timed_out_until'
  | 'timeout_reason'
>;

const iso = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());

/** Whether an app-wide ban holds now (one past its expiry has lifted by itself). */
export function isAppBanned(row: RestrictionColumns, now = new Date()): boolean {
  return (
    row.app_banned_at !== null && (row.app_ban_expires_at === null || new Date(row.app_ban_expires_at) > now)
  );
}

/** The end of a timeout still running, or null. */
export function timedOutUntil(row: RestrictionColumns, now = new Date()): Date | null {
  if (row.timed_out_until === null) return null;
  const until = new Date(row.timed_out_until);
  return until > now ? until : null;
}

export function appBannedError(row: RestrictionColumns): ChatError {
  return new ChatError('app_banned', 'You are banned from this application', {
    expires_at: iso(row.app_ban_expires_at),
    reason: row.app_ban_reason,
  });
}

/** Refuses a banned user: every authenticated request, socket, login and refresh goes through it. */
export function requireNotAppBanned(row: RestrictionColumns): void {
  if (isAppBanned(row)) throw appBannedError(row);
}

/** Refuses a write (send, reaction, edit) from a banned or timed-out user. */
export function requireMayWrite(row: RestrictionColumns): void {
  requireNotAppBanned(row);
  const until = timedOutUntil(row);
  if (until) {
    throw new ChatError('timed_out', `You are timed out until ${until.toISOString()}`, {
      until: until.toISOString(),
      retry_after_ms: until.getTime() - Date.now(),
    });
  }
}

/** The user's standing, as moderators see it; expired bans and timeouts show as lifted. */
export function toStanding(row: RestrictionColumns): UserStanding {
  const banned = isAppBanned(row);
  const until = timedOutUntil(row);
  return {
    user_id: row.external_id,
    banned,
    ban_expires_at: banned ? iso(row.app_ban_expires_at) : null,
    ban_reason: banned ? row.app_ban_reason : null,
    shadow_banned: row.shadow_banned,
    timed_out_until: until ? until.toISOString() : null,
    timeout_reason: until ? row.timeout_reason : null,
  };
}

/**
 * `requireMayWrite` for a call that has not read the actor's row (a reaction, an edit): one
 * statement. A server token acts past timeouts, as it does past channel bans.
 */
export async function requireActorMayWrite(db: AppDb, actor: Actor): Promise<void> {
  if (actor.server || !actor.userId) return;
  const row = await db
    .selectFrom('app_users')
    .select([
      'external_id',
      'app_banned_at',
      'app_ban_expires_at',
      'app_ban_reason',
      'shadow_banned',
      'timed_out_until',
      'timeout_reason',
    ])
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  if (row) requireMayWrite(row);
}

/** Who alone may see the events about a message: its author for a shadowed one. */
export const visibleToOf = (row: Pick<MessageRow, 'shadowed' | 'app_user_id'>): string | null =>
  row.shadowed ? row.app_user_id : null;
