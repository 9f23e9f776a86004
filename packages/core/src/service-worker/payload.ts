import type { PushPayload } from '@chat/protocol';

/**
 * A chat push as this module reads it: the protocol's `PushPayload`, checked by hand (no zod in a
 * service worker) and lenient where a field only changes how it is shown: a `badge` that is not a
 * count leaves the badge alone, a missing `tag` falls back to the cid.
 */
export type ChatPush =
  | {
      type: 'message.new';
      cid: string;
      message_id: string;
      sender_id?: string;
      title?: string;
      body?: string;
      badge?: number;
      tag: string;
    }
  | { type: 'message.read'; cid: string; badge?: number; tag: string };

// Every payload the protocol allows is a ChatPush (fails to compile if the protocol drifts).
const _fits = (payload: PushPayload): ChatPush => payload;
void _fits;

/** The JSON of a push's data; undefined when there is none or it is not JSON. Never throws. */
export function readPushData(data: { text(): string } | null | undefined): unknown {
  if (!data) return undefined;
  try {
    return JSON.parse(data.text());
  } catch {
    return undefined;
  }
}

/**
 * The chat push in `value`, or undefined when it is not one of ours: not an object, no known
 * `type`, no `cid`, or a `message.new` without `message_id`. Such pushes are left to the app.
 */
export function parseChatPush(value: unknown): ChatPush | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (!isText(v.cid)) return undefined;
  const cid = v.cid;
  const tag = isText(v.tag) ? v.tag : cid;
  const badge = isCount(v.badge) ? v.badge : undefined;
  if (v.type === 'message.read')
    return { type: 'message.read', cid, tag, ...(badge !== undefined && { badge }) };
  if (v.type !== 'message.new' || !isText(v.message_id)) return undefined;
  return {
    type: 'message.new',
    cid,
    message_id: v.message_id,
    ...(typeof v.sender_id === 'string' && { sender_id: v.sender_id }),
    ...(typeof v.title === 'string' && { title: v.title }),
    ...(typeof v.body === 'string' && { body: v.body }),
    ...(badge !== undefined && { badge }),
    tag,
  };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
