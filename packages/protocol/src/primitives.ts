import { z } from 'zod';
import { LIMITS } from './limits';
import { findUnsafeText, unsafeTextProblem } from './unsafe-text';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses text that PostgreSQL cannot store or a client cannot render (see `unsafeTextProblem`),
 * as a check any string schema can take.
 */
const safeText = z.superRefine((value: string, ctx) => {
  const message = unsafeTextProblem(value);
  if (message) ctx.addIssue({ code: 'custom', input: value, message });
});

/**
 * Text that PostgreSQL can store and every client can render: well-formed UTF-16 (no lone
 * surrogates, which cannot be encoded as UTF-8) and no NUL characters.
 */
export const safeString = (max: number) => z.string().max(max).check(safeText);

/** An id chosen by an app or a client: letters, digits and `_ - . @ !`. */
export const idString = z
  .string()
  .min(1)
  .max(LIMITS.ID_LENGTH)
  .regex(/^[A-Za-z0-9_\-.@!]+$/, 'May contain only letters, digits and _ - . @ !');

export const userId = idString;
export const channelId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_\-!]+$/, 'May contain only letters, digits and _ - !');
export const messageId = z.uuid();
export const clientMessageId = idString;

export const CHANNEL_TYPES = ['messaging', 'team', 'livestream'] as const;
export const channelType = z.enum(CHANNEL_TYPES);
export type ChannelType = z.infer<typeof channelType>;

/** `type:id`, the one way to name a channel on the wire. */
export const cid = z
  .string()
  .max(100)
  .regex(
    /^(messaging|team|livestream):[A-Za-z0-9_\-!]{1,64}$/,
    'Must be "type:id" with a known channel type',
  );

/** Joins a channel type and id into a cid; throws a `TypeError` when the result is not a valid cid. */
export function toCid(type: ChannelType, id: string): string {
  const value = `${type}:${id}`;
  if (!cid.safeParse(value).success) {
    throw new TypeError(`Invalid channel type or id: ${JSON.stringify(type)}, ${JSON.stringify(id)}`);
  }
  return value;
}

/** Splits a cid into its type and id; throws a `TypeError` when it is not a valid cid. */
export function parseCid(value: string): { type: ChannelType; id: string } {
  const result = cid.safeParse(value);
  if (!result.success) throw new TypeError(`Invalid cid: ${JSON.stringify(value)}`);
  const at = value.indexOf(':');
  return { type: value.slice(0, at) as ChannelType, id: value.slice(at + 1) };
}

/**
 * The range of times accepted: what PostgreSQL can take as a parameter. ISO 8601 has a year 0
 * that PostgreSQL does not, and a year 10000 is written `+010000-…` by JavaScript, which
 * PostgreSQL reads as a zone offset: either fails the whole statement. Drivers send times in the
 * server's local zone, so each end keeps a day of margin.
 */
const EARLIEST_TIME = Date.parse('0001-01-02T00:00:00Z');
const LATEST_TIME = Date.parse('9999-12-30T23:59:59.999Z');

/** An ISO 8601 time with its offset, between 0001-01-02 and 9999-12-30 (UTC). */
export const timestamp = z.iso
  .datetime({ offset: true })
  .refine(
    (value) => {
      const time = Date.parse(value);
      return time >= EARLIEST_TIME && time <= LATEST_TIME;
    },
    { message: 'Must be between 0001-01-02 and 9999-12-30 (UTC)' },
  )
  // PostgreSQL takes offsets up to ±15:59; a larger one (+23:59 is valid ISO 8601) was a 500.
  .refine((value) => !/[+-](1[6-9]|2\d):?\d\d$/.test(value), {
    message: 'The UTC offset must be at most ±15:59',
  });
export const name = safeString(LIMITS.NAME_LENGTH);
// z.url() checks the text with the URL parser but returns it as given, so a NUL the parser would
// have percent-encoded still reaches the database: the text itself is checked too.
export const httpUrl = z
  .url({ protocol: /^https?$/ })
  .max(LIMITS.URL_LENGTH)
  .check(safeText);

/** Per-channel sequence numbers and other counters: non-negative safe integers. */
export const sequence = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const pageLimit = z.number().int().min(1).max(LIMITS.PAGE_SIZE_MAX);

/**
 * Free-form data apps attach to users, channels and messages. Bounded in size and depth; keys
 * that could reach an object's prototype, and keys or values that are not safe text (NUL, lone
 * surrogates), are refused, at any depth.
 *
 * Keys and depth are checked on the raw input, before the record parses it: zod drops a
 * `__proto__` key from its output (so it cannot replace the result's prototype), so a check on
 * the parsed value would never see it and would accept the data with the key silently removed;
 * and parsing unbounded nesting recursively overflows the stack, so depth is bounded first.
 */
const utf8 = new TextEncoder();
/** Any JSON value (recursive): the values of custom data. Named in the API documents. */
export const jsonValue = z.json();
const customDataRecord = z
  .record(z.string().max(64), jsonValue)
  .refine((value) => utf8.encode(JSON.stringify(value)).byteLength <= LIMITS.CUSTOM_DATA_BYTES, {
    message: `Must be at most ${LIMITS.CUSTOM_DATA_BYTES} bytes of JSON`,
  });

export const customData = z.preprocess((value: z.input<typeof customDataRecord>, ctx) => {
  const problem = findUnsafeNesting(value, []);
  if (problem) ctx.addIssue({ code: 'custom', input: value, ...problem });
  else for (const issue of findUnsafeText(value)) ctx.addIssue({ code: 'custom', input: value, ...issue });
  return value;
}, customDataRecord);
export type CustomData = z.infer<typeof customData>;

/** The first key that could reach an object's prototype, or the first object nested too deep. */
function findUnsafeNesting(value: unknown, path: (string | number)[]): NestingProblem | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (path.length >= LIMITS.CUSTOM_DATA_DEPTH) {
    return { path, message: `Must be nested at most ${LIMITS.CUSTOM_DATA_DEPTH} levels deep` };
  }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
      return { path: [...path, key], message: `Key "${key}" is not allowed` };
    }
    const nested = findUnsafeNesting(item, [...path, key]);
    if (nested) return nested;
  }
  return undefined;
}

type NestingProblem = { path: (string | number)[]; message: string };
