import { z } from 'zod';
import { type ErrorBody, makeError, toErrorIssues } from './errors';
import { chatEvent } from './events';
import { ackFrame, type ClientFrame, clientFrame, errorFrame } from './frames';
import { LIMITS } from './limits';
import { findUnsafeText } from './unsafe-text';

/** Everything a server may send on the socket: acks, errors and events. */
export const serverFrame = z.discriminatedUnion('type', [ackFrame, errorFrame, ...chatEvent.options]);
export type ServerFrame = z.infer<typeof serverFrame>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const encoder = new TextEncoder();

function byteLength(data: string | Uint8Array): number {
  return typeof data === 'string' ? encoder.encode(data).byteLength : data.byteLength;
}

function parseJson(data: string | Uint8Array): ParseResult<unknown> {
  if (byteLength(data) > LIMITS.FRAME_BYTES) {
    return {
      ok: false,
      error: makeError('payload_too_large', `Frames are limited to ${LIMITS.FRAME_BYTES} bytes`),
    };
  }
  try {
    const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: makeError('invalid_frame', 'Frame is not valid UTF-8 JSON') };
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): ParseResult<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    error: makeError('validation_failed', `Invalid ${what}`, { issues: toErrorIssues(result.error) }),
  };
}

/**
 * Validates what a client sent: the schema, plus every string in it at any depth (keys too) is
 * safe text. The schemas refine their own string fields the same way; the walk is what makes
 * sure no field, including one added later with a plain `z.string()`, carries a NUL or a lone
 * surrogate to the database.
 */
function validateClientInput<T>(schema: z.ZodType<T>, value: unknown, what: string): ParseResult<T> {
  const unsafe = findUnsafeText(value);
  const result = validate(schema, value, what);
  if (unsafe.length === 0) return result;
  const reported = result.ok ? [] : (result.error.details?.issues ?? []);
  const known = new Set(reported.map((issue) => JSON.stringify([issue.path, issue.message])));
  const issues = [...reported, ...unsafe.filter((i) => !known.has(JSON.stringify([i.path, i.message])))];
  return { ok: false, error: makeError('validation_failed', `Invalid ${what}`, { issues }) };
}

/** Parses and validates a client → server frame: size, JSON, then schema and safe text. */
export function parseClientFrame(data: string | Uint8Array): ParseResult<ClientFrame> {
  const json = parseJson(data);
  return json.ok ? validateClientInput(clientFrame, json.value, 'frame') : json;
}

/** Parses and validates a server → client frame (used by the SDK). */
export function parseServerFrame(data: string | Uint8Array): ParseResult<ServerFrame> {
  const json = parseJson(data);
  return json.ok ? validate(serverFrame, json.value, 'server frame') : json;
}

/**
 * Validates client input (a request's params, query or body) against a schema, as a
 * `ParseResult` with issue paths. Besides the schema, every string in the input, at any depth and
 * keys included, must be safe text (no NUL, no lone surrogate).
 */
export function validateInput<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): ParseResult<T> {
  return validateClientInput(schema, value, what);
}
