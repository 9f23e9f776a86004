import { z } from 'zod';
import { type ErrorBody, makeError, toErrorIssues } from './errors';
import { chatEvent } from './events';
import { ackFrame, type ClientFrame, clientFrame, errorFrame } from './frames';
import { LIMITS } from './limits';

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

/** Parses and validates a client → server frame: size, JSON, then schema. */
export function parseClientFrame(data: string | Uint8Array): ParseResult<ClientFrame> {
  const json = parseJson(data);
  return json.ok ? validate(clientFrame, json.value, 'frame') : json;
}

/** Parses and validates a server → client frame (used by the SDK). */
export function parseServerFrame(data: string | Uint8Array): ParseResult<ServerFrame> {
  const json = parseJson(data);
  return json.ok ? validate(serverFrame, json.value, 'server frame') : json;
}

/** Validates any value against a schema, as a `ParseResult` with issue paths. */
export function validateInput<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): ParseResult<T> {
  return validate(schema, value, what);
}
