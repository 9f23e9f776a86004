import { z } from 'zod';
import { LIMITS } from './limits';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Text that PostgreSQL can store and every client can render: well-formed UTF-16 (no lone
 * surrogates, which cannot be encoded as UTF-8) and no NUL characters.
 */
export const safeString = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.isWellFormed(), { message: 'Must be valid Unicode (no lone surrogates)' })
    .refine((s) => !s.includes('\u0000'), { message: 'Must not contain NUL characters' });

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

export function toCid(type: ChannelType, id: string): string {
  return `${type}:${id}`;
}

export function parseCid(value: string): { type: ChannelType; id: string } {
  const result = cid.safeParse(value);
  if (!result.success) throw new TypeError(`Invalid cid: ${JSON.stringify(value)}`);
  const at = value.indexOf(':');
  return { type: value.slice(0, at) as ChannelType, id: value.slice(at + 1) };
}

export const timestamp = z.iso.datetime({ offset: true });
export const name = safeString(LIMITS.NAME_LENGTH);
export const httpUrl = z.url({ protocol: /^https?$/ }).max(LIMITS.URL_LENGTH);

/** Per-channel sequence numbers and other counters: non-negative safe integers. */
export const sequence = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const pageLimit = z.number().int().min(1).max(LIMITS.PAGE_SIZE_MAX);

/**
 * Free-form data apps attach to users, channels and messages. Bounded in size, and keys that
 * could reach an object's prototype are refused.
 */
export const customData = z.record(z.string().max(64), z.json()).superRefine((value, ctx) => {
  const bad = findForbiddenKey(value);
  if (bad) ctx.addIssue({ code: 'custom', message: `Key "${bad}" is not allowed` });
  if (JSON.stringify(value).length > LIMITS.CUSTOM_DATA_BYTES) {
    ctx.addIssue({ code: 'custom', message: `Must be at most ${LIMITS.CUSTOM_DATA_BYTES} bytes of JSON` });
  }
});
export type CustomData = z.infer<typeof customData>;

function findForbiddenKey(value: unknown, depth = 0): string | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const nested = findForbiddenKey((value as Record<string, unknown>)[key], depth + 1);
    if (nested) return nested;
  }
  return undefined;
}
