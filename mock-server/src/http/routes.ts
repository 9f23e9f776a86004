import { type Endpoint, type EndpointName, endpoints } from '@chat/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VerifyOptions } from '../domain/auth/index';
import {
  knownQueryKeys,
  rejectUnknownQueryKeys,
  toFastifyPath,
  validated,
} from '../kernel/request-validation';
import type { WriteBudget } from '../limits/write-budget';
import type { DataAccess } from '../store/data-access';
import { authenticate, resolveApp } from './authenticate';
import type { Handlers } from './handlers';
import { SessionCookie } from './session-cookie';

/** The query string without `api_key`, which identifies the app rather than the request. */
function queryOf(request: FastifyRequest): Record<string, unknown> {
  const { api_key: _, ...rest } = (request.query ?? {}) as Record<string, unknown>;
  return rest;
}

export interface RouteOptions {
  data: DataAccess;
  /** The handlers over one application's data. */
  handlersFor: (appId: string) => Handlers;
  tokens: VerifyOptions;
  writes: WriteBudget;
}

/**
 * The endpoints that spend a write of the user's budget: everything a user changes, except
 * marking read (frequent, idempotent and cheap, as on the socket) and queries that only read.
 */
const WRITES: ReadonlySet<EndpointName> = new Set<EndpointName>([
  'updateMe',
  'createChannel',
  'updateChannel',
  'deleteChannel',
  'freezeChannel',
  'unfreezeChannel',
  'truncateChannel',
  'addMembers',
  'removeMembers',
  'setMemberRole',
  'muteChannel',
  'unmuteChannel',
  'banMember',
  'unbanMember',
  'sendMessage',
  'updateMessage',
  'deleteMessage',
  'pinMessage',
  'unpinMessage',
  'setSlowMode', // channel moderation
  // Reports and review actions: a user's writes, on the user's write budget.
  'reportMessage',
  'reportUser',
  'assignReviewItem',
  'actOnReviewItem',
  // User safety: blocks, bans and timeouts.
  'blockUser',
  'unblockUser',
  'banUserFromApp',
  'unbanUserFromApp',
  'timeOutUser',
  'endUserTimeout',
  'addReaction',
  'removeReaction',
  'removeLinkPreview',
  'saveDraft',
  'deleteDraft',
]);

/**
 * Registers every endpoint of the protocol's table: api key → token → params, query and body
 * validated with the endpoint's schemas → handler. Nothing reaches a handler unchecked.
 */
export function registerRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { data, handlersFor, tokens, writes } = options;
  for (const [name, endpoint] of Object.entries(endpoints) as [EndpointName, Endpoint][]) {
    const spends = WRITES.has(name);
    const queryKeys = knownQueryKeys(endpoint.query);
    app.route({
      method: endpoint.method,
      url: toFastifyPath(endpoint.path),
      handler: async (request, reply) => {
        const application = await resolveApp(data.platform, request);
        const actor = await authenticate(
          data.platform,
          data.forApp(application.id),
          application,
          request,
          endpoint.auth,
          tokens,
        );
        const params = validated(endpoint.params, request.params, 'params');
        const rawQuery = queryOf(request);
        rejectUnknownQueryKeys(rawQuery, queryKeys);
        const query = validated(endpoint.query, rawQuery, 'query');
        const body = endpoint.body ? validated(endpoint.body, request.body, 'body') : undefined;
        // The user's one write budget, shared with the socket: REST is no way around it. The
        // app's backend (a server token) is not a user and is not metered.
        const handler = handlersFor(application.id)[name] as (ctx: unknown) => Promise<unknown>;
        const session = new SessionCookie(request, reply, application.api_key);
        const run = () => handler({ app: application, actor, params, query, body, ip: request.ip, session });
        const result =
          spends && actor?.userId && !actor.server
            ? await writes.metered(actor.appId, actor.userId, run)
            : await run();
        reply.status(endpoint.status ?? 200);
        return result;
      },
    });
  }
}
