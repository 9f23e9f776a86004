import type { ChatEvent } from '@chat/protocol';
import type { Envelope } from '../bus/envelope';
import type { Connection } from './connection';
import { encodeTextFrame } from './text-frame';

/**
 * What a user may see of a channel event, decided per socket (and per replay) only when the event
 * could be hidden from someone: an event only its author may see (a shadowed message,
 * `visibleTo`), or an event reaching a user who blocked someone. A hidden event becomes
 * `event.hidden` with the same seq, so the client advances past the seq rather than asking for a
 * gap that the replay would hide again. An event whose message quotes a blocked user's message
 * is shown without the quote (`quoted_message: null`), as a page read by the blocker shows it.
 */
export type Sight = 'shown' | 'hidden' | 'unquoted';

/** Who looks: their internal id, and the external ids of the users they blocked. */
export interface Viewer {
  userId: string | null | undefined;
  blocked?: ReadonlySet<string> | undefined;
}

/** The external id of the user whose message (or typing) the event carries, if any. */
function authorOf(type: string, event: ChatEvent): string | undefined {
  if (!type.startsWith('message.') && !type.startsWith('reaction.') && !type.startsWith('typing.'))
    return undefined;
  if ('message' in event) return event.message.user_id;
  if (event.type === 'typing.start' || event.type === 'typing.stop') return event.user.id;
  return undefined;
}

/**
 * What `viewer` may see of an event of `type`. Costs two field reads for a viewer with no blocks
 * and an event meant for everyone.
 */
export function sightOf(
  type: string,
  event: ChatEvent,
  visibleTo: string | null | undefined,
  viewer: Viewer,
): Sight {
  if (visibleTo !== undefined && visibleTo !== null) return viewer.userId === visibleTo ? 'shown' : 'hidden';
  const blocked = viewer.blocked;
  if (blocked === undefined || blocked.size === 0) return 'shown';
  const author = authorOf(type, event);
  if (author === undefined) return 'shown';
  if (blocked.has(author)) return 'hidden';
  const quoted = 'message' in event ? event.message.quoted_message : null;
  return quoted && blocked.has(quoted.user_id) ? 'unquoted' : 'shown';
}

/** The event as shown without the quoted message (see `Sight`). */
export function withoutQuote<E extends ChatEvent>(event: E): E {
  if (!('message' in event)) return event;
  return { ...event, message: { ...event.message, quoted_message: null } };
}

/** What `conn` may see of a live event (`sightOf` for its user). */
export function sightFor(envelope: Envelope, conn: Connection): Sight {
  // The common case first: nothing to hide from a socket whose user blocked no one.
  if (envelope.visibleTo === undefined && (conn.blocked === undefined || conn.blocked.size === 0))
    return 'shown';
  return sightOf(envelope.type, envelope.event as ChatEvent, envelope.visibleTo, {
    userId: conn.actor?.userId,
    blocked: conn.blocked,
  });
}

const placeholders = new WeakMap<Envelope, Buffer | null>();

/**
 * The frame a socket gets instead of a hidden event: `event.hidden` with its seq, framed once
 * per event; null for an event that takes no seq (typing), which is simply not sent.
 */
export function hiddenFrame(envelope: Envelope): Buffer | null {
  let frame = placeholders.get(envelope);
  if (frame === undefined) {
    const event = envelope.event as ChatEvent;
    const seq = envelope.seq;
    const transient = envelope.type === 'typing.start' || envelope.type === 'typing.stop';
    frame =
      seq === undefined || transient || !('cid' in event)
        ? null
        : encodeTextFrame(
            Buffer.from(
              JSON.stringify({ type: 'event.hidden', cid: event.cid, seq, created_at: event.created_at }),
            ),
          );
    placeholders.set(envelope, frame);
  }
  return frame;
}

const unquotedFrames = new WeakMap<Envelope, Buffer>();

/** The frame of an event shown without its quote, framed once per event. */
export function unquotedFrame(envelope: Envelope): Buffer {
  let frame = unquotedFrames.get(envelope);
  if (frame === undefined) {
    frame = encodeTextFrame(Buffer.from(JSON.stringify(withoutQuote(envelope.event as ChatEvent))));
    unquotedFrames.set(envelope, frame);
  }
  return frame;
}

/** Keeps a socket's blocked users current as the user blocks and unblocks (on any node). */
export function applyBlockChange(conn: Connection, envelope: Envelope): void {
  const event = envelope.event as ChatEvent;
  if (event.type === 'user.blocked') {
    conn.blocked ??= new Set();
    conn.blocked.add(event.user.id);
  } else if (event.type === 'user.unblocked') conn.blocked?.delete(event.user.id);
}
