import type { EndpointAuth } from '@chat/protocol';
import type { FastifyRequest } from 'fastify';
import type { VerifyOptions } from '../domain/auth/index';
import { requireNotAppBanned } from '../domain/moderation/user-restrictions';
import { findApp, requireEnabled } from '../domain/users/app-lookup';
import { verifyAppToken } from '../domain/users/app-token';
import { ensureUser } from '../domain/users/users';
import type { Actor } from '../kernel/actor';
import { ChatError } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import type { PlatformDb } from '../store/data-access';
import type { AppRow } from '../store/schema';

/** The application named by the request's api key (`X-Api-Key` header or `api_key` query). */
export async function resolveApp(db: PlatformDb, request: FastifyRequest): Promise<AppRow> {
  const header = request.headers['x-api-key'];
  const query = (request.query as Record<string, unknown> | undefined)?.api_key;
  const apiKey = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (!apiKey) throw new ChatError('invalid_api_key', 'Missing api key: send X-Api-Key or ?api_key=');
  if (apiKey.length > 256) throw new ChatError('invalid_api_key', 'Unknown api key');
  const app = await findApp(db, apiKey);
  if (!app) throw new ChatError('invalid_api_key', 'Unknown api key');
  requireEnabled(app);
  return app;
}

/** Turns the bearer token into an actor of `app`, as the endpoint's `auth` level demands. */
export async function authenticate(
  platform: PlatformDb,
  db: AppDb,
  app: AppRow,
  request: FastifyRequest,
  level: EndpointAuth,
  tokens: VerifyOptions,
): Promise<Actor | null> {
  if (level === 'public') return null;
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header) : null;
  if (!match) throw new ChatError('unauthenticated', 'Missing token: send Authorization: Bearer <token>');
  const verified = await verifyAppToken(platform, app, match[1]!, tokens);
  if (verified.server) {
    return { appId: app.id, userId: null, externalId: null, role: 'admin', server: true };
  }
  if (level === 'server') throw new ChatError('forbidden', 'This endpoint needs a server-side token');
  const user = await ensureUser(db, app.id, verified.userId!);
  // A user banned from the app gets nothing as a user (the row was just read anyway).
  requireNotAppBanned(user);
  return {
    appId: app.id,
    userId: user.id,
    externalId: user.external_id,
    role: user.user_type,
    server: false,
  };
}
