import type { z } from 'zod';
import { ChatError } from '../kernel/errors';

/** Opaque pagination cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Decodes a cursor and checks it against the shape its page gave it: a cursor is client input,
 * so a forged or corrupted one is a 400 naming `cursor`, never a value that reaches SQL unchecked.
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ChatError('validation_failed', 'Invalid cursor', {
    issues: [{ path: ['cursor'], message: 'Invalid cursor' }],
  });
}
