import { z } from 'zod';
import { channelId, channelType, messageId } from '../primitives';
import { ROUTE_SUMMARIES } from '../route-summaries';
import { ROUTES, type RouteName } from '../routes';

/** What the endpoint tables (endpoints.ts, moderation-endpoints.ts) are built from. */

/**
 * Who may call an endpoint: `public` needs only the api key, `user` a user token, `server` a
 * token signed with the app secret carrying `server: true`.
 */
export type EndpointAuth = 'public' | 'user' | 'server';

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, e.g. `/v1/channels/{type}/{id}`. */
  path: string;
  summary: string;
  auth: EndpointAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** Success status; 200 unless said. */
  status?: 200 | 201 | 204;
}

/** An endpoint's route with its summary (the browser SDKs bundle `ROUTES` without the prose). */
export const route = <N extends RouteName>(name: N) => ({ ...ROUTES[name], summary: ROUTE_SUMMARIES[name] });

export const channelParams = z.strictObject({ type: channelType, id: channelId });
export const messageParams = z.strictObject({ id: messageId });
export const ok = z.object({ ok: z.literal(true) });
export const reviewItemParams = z.strictObject({ itemId: z.uuid() });
export const webhookParams = z.strictObject({ webhookId: z.uuid() });
export const deviceParams = z.strictObject({ deviceId: z.uuid() });
export const blocklistParams = z.strictObject({ blocklistId: z.uuid() });
