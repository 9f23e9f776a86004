import { validateInput } from '@chat/protocol';
import type { z } from 'zod';
import { ChatError } from './errors';

/**
 * Checking a request against an endpoint's schemas, the same for the chat API (http/) and the
 * portal API (portal/): params, query and body each validated, unknown query parameters named.
 */

/** `/v1/channels/{type}/{id}` → `/v1/channels/:type/:id` */
export const toFastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

export function validated(schema: z.ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body') {
  if (!schema) return undefined;
  const result = validateInput(schema, value ?? (where === 'body' ? undefined : {}), where);
  if (!result.ok) {
    throw new ChatError(result.error.code, result.error.message, {
      ...result.error.details,
      location: where,
    });
  }
  return result.value;
}

/** The parameters an endpoint's query schema declares (none without one); null if unreadable. */
export function knownQueryKeys(schema: z.ZodType | undefined): ReadonlySet<string> | null {
  if (!schema) return new Set();
  const shape = (schema as { shape?: unknown }).shape;
  return shape && typeof shape === 'object' ? new Set(Object.keys(shape)) : null;
}

/**
 * Refuses query parameters the endpoint does not know, naming each one as its issue's path: the
 * schema alone would report them all at the query's root (path `[]`).
 */
export function rejectUnknownQueryKeys(
  query: Record<string, unknown>,
  known: ReadonlySet<string> | null,
): void {
  const unknown = known ? Object.keys(query).filter((key) => !known.has(key)) : [];
  if (unknown.length === 0) return;
  throw new ChatError(
    'validation_failed',
    known?.size ? 'Unknown query parameter' : 'This endpoint takes no query parameters',
    {
      issues: unknown.map((key) => ({ path: [key], message: 'Unknown query parameter' })),
      location: 'query',
    },
  );
}
