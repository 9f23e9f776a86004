import type { ChatEvent } from '@chat/protocol';
import type { Envelope } from '../bus/envelope';
import type { Connection } from './connection';
import { encodeTextFrame } from './text-frame';

/**
 * Which sockets may not see a channel event, decided per socket only when the event
 * could be hidden from someone: an event only its author may see (a shadowed message,
 * `envelope.visibleTo`), or a message event reaching a socket whose user blocked someone. Such a
 * socket gets `event.hidden` with the same seq instead, so its client advances past the seq
 * rather than asking for a gap that the replay would hide again.
 */

/** The external id of the user whose message (or typing) the event carries, if any. */
function authorOf(envelope: Envelope): string | undefined {
  if (
    !envelope.type.startsWith('message.') &&
    !envelope.type.startsWith('reaction.') &&
    !envelope.type.startsWith('typing.')
  )
    return undefined;
  const event = envelope.event as ChatEvent;
  if ('message' in event) return event.message.user_id;
  if (event.type === 'typing.start' || event.type === 'typing.stop') return event.user.id;
  return undefined;
}

/** Whether `conn` may not see the event. Costs two field reads for a socket of a user with no blocks. */
export function hiddenFrom(envelope: Envelope, conn: Connection): boolean {
  if (envelope.visibleTo !== undefined) return conn.actor?.userId !== envelope.visibleTo;
  if (conn.blocked === undefined || conn.blocked.size === 0) return false;
  const author = authorOf(envelope);
  return author !== undefined && conn.blocked.has(author);
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

/** Keeps a socket's blocked users current as the user blocks and unblocks (on any node). */
export function applyBlockChange(conn: Connection, envelope: Envelope): void {
  const event = envelope.event as ChatEvent;
  if (event.type === 'user.blocked') {
    conn.blocked ??= new Set();
    conn.blocked.add(event.user.id);
  } else if (event.type === 'user.unblocked') conn.blocked?.delete(event.user.id);
}
