import { type PortalEndpoint, type PortalEndpointName, portalEndpoints } from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import { ChatError } from '../kernel/errors';
import {
  knownQueryKeys,
  rejectUnknownQueryKeys,
  toFastifyPath,
  validated,
} from '../kernel/request-validation';
import type { PortalHandlers } from './handlers';
import type { PortalActor } from './portal-actor';

/**
 * Registers the portal API (`/portal/v1/…`): bearer portal token → params and body validated →
 * handler. Without a server key (PostgreSQL and no CHAT_SECRET_KEY) there is nothing to sign
 * portal tokens with: every endpoint answers 503 and says what to set.
 */
export function registerPortalRoutes(
  app: FastifyInstance,
  portal: { handlers: PortalHandlers; authenticate: PortalAuthenticate } | { unavailable: string },
): void {
  for (const [name, endpoint] of Object.entries(portalEndpoints) as [PortalEndpointName, PortalEndpoint][]) {
    const queryKeys = knownQueryKeys(endpoint.query);
    app.route({
      method: endpoint.method,
      url: toFastifyPath(endpoint.path),
      handler: async (request, reply) => {
        if ('unavailable' in portal) throw new ChatError('unavailable', portal.unavailable);
        const actor =
          endpoint.auth === 'customer' ? await portal.authenticate(request.headers.authorization) : null;
        const params = validated(endpoint.params, request.params, 'params');
        const rawQuery = (request.query ?? {}) as Record<string, unknown>;
        rejectUnknownQueryKeys(rawQuery, queryKeys);
        const query = validated(endpoint.query, rawQuery, 'query');
        // A POST whose fields are all optional may come with no body at all.
        const body = endpoint.body ? validated(endpoint.body, request.body ?? {}, 'body') : undefined;
        const handler = portal.handlers[name] as (ctx: unknown) => Promise<unknown>;
        const userAgent = request.headers['user-agent'];
        const result = await handler({
          actor,
          params,
          query,
          body,
          origin: { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : null },
        });
        reply.status(endpoint.status ?? 200);
        return result;
      },
    });
  }
}

export type PortalAuthenticate = (
  authorization: string | undefined,
) => ReturnType<import('./accounts').PortalAccounts['authenticate']>;
