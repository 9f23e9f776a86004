import { CLOSE_CODES, type ClientFrame, makeError } from '@chat/protocol';
import type { VerifyOptions } from '../domain/auth/index';
import type { DomainDeps } from '../domain/deps';
import { blockedExternalIds } from '../domain/moderation/user-blocks';
import { appBannedError, isAppBanned } from '../domain/moderation/user-restrictions';
import { getUnread } from '../domain/reads/reads';
import { verifyAppToken } from '../domain/users/app-token';
import { ensureUser } from '../domain/users/users';
import { toUser, toUserRef } from '../domain/views';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';
import type { Connection } from './connection';
import type { PresenceService } from './presence';

export interface AuthenticateContext {
  /** The domain's dependencies over one application's data. */
  depsFor: (appId: string) => DomainDeps;
  /** Where the application is read again when a token's secret may have been rotated in since. */
  platform: PlatformDb;
  presence: PresenceService;
  maxConnectionsPerUser: number;
  /** How tokens are verified (the longest lifetime accepted). */
  tokens: VerifyOptions;
  /** The socket is now a user's: it joins the registry (and leaves the unauthenticated set). */
  admit(conn: Connection): void;
}

type AuthFrame = Extract<ClientFrame, { type: 'auth' }>;

/**
 * Serves a socket's `auth` frame: verifies the user token with the app's secret, finds (or
 * creates) the user, records the connection in presence within the per-user limit, and answers
 * with the ack and `connection.ok` (the user and their unread counts). A reconnect storm runs
 * thousands of these at once, so it costs two database reads and one presence round trip when
 * the user is already online.
 */
export async function authenticateSocket(
  ctx: AuthenticateContext,
  conn: Connection,
  frame: AuthFrame,
): Promise<void> {
  if (conn.closed) return;
  let externalId: string;
  try {
    const verified = await verifyAppToken(ctx.platform, conn.app, frame.token, ctx.tokens);
    if (!verified.userId) throw new ChatError('unauthenticated', 'Sockets need a user token');
    externalId = verified.userId;
  } catch (error) {
    const body = error instanceof ChatError ? error.body : makeError('unauthenticated', 'Invalid token');
    conn.sendFrame({ type: 'error', id: frame.id, error: body });
    const code = body.code === 'token_expired' ? CLOSE_CODES.TOKEN_EXPIRED : CLOSE_CODES.UNAUTHENTICATED;
    return conn.close(code, body.code);
  }
  const user = await ensureUser(ctx.depsFor(conn.app.id).db, conn.app.id, externalId);
  // The socket may have closed while we awaited: recording it now would leave it behind.
  if (conn.closed) return;
  // A user banned from the app is refused, with until when, read from the row just read.
  if (isAppBanned(user)) {
    conn.sendFrame({ type: 'error', id: frame.id, error: appBannedError(user).body });
    return conn.close(CLOSE_CODES.APP_BANNED, 'app_banned');
  }
  const actor = {
    appId: conn.app.id,
    userId: user.id,
    externalId: user.external_id,
    role: user.user_type,
    server: false,
  };
  const [before, unread, blocked] = await Promise.all([
    ctx.presence.connected(conn.app.id, user.id, conn.id, user.is_online),
    getUnread(ctx.depsFor(actor.appId), actor),
    // The users this one blocked, read only when the row says some block involves them.
    user.block_count > 0 ? blockedExternalIds(ctx.depsFor(actor.appId).db, user.id) : undefined,
  ]);
  if (before >= ctx.maxConnectionsPerUser || conn.closed) {
    // Recorded, so forgotten again (a closed socket's close handler ran before it had an actor).
    await ctx.presence.disconnected(conn.app.id, user.id, conn.id);
    if (conn.closed) return;
    conn.sendFrame({
      type: 'error',
      id: frame.id,
      error: makeError('rate_limited', `At most ${ctx.maxConnectionsPerUser} connections per user`),
    });
    return conn.close(CLOSE_CODES.TOO_MANY_CONNECTIONS, 'too many connections');
  }
  conn.actor = actor;
  if (blocked?.size) conn.blocked = blocked;
  conn.shadowBanned = user.shadow_banned;
  // Online from now on, whether or not the row said so when it was read.
  const online = { ...user, is_online: true, last_active_at: new Date() };
  conn.userRef = toUserRef(online);
  ctx.admit(conn);
  conn.sendFrame({ type: 'ack', id: frame.id, result: { connection_id: conn.id } });
  conn.sendFrame({
    type: 'connection.ok',
    connection_id: conn.id,
    user: toUser(online),
    unread,
    created_at: new Date().toISOString(),
  });
}
