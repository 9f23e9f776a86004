/**
 * Server frames for tests, each checked with the protocol's full validator: a sample that
 * drifts from the wire format fails here instead of passing a lenient client parser.
 */
import { type ChatEvent, type EventOf, parseServerFrame, type ServerFrame, type User } from '@chat/protocol';

export const T0 = '2025-03-14T09:26:53.589Z';

export const alice: User = {
  id: 'alice',
  name: 'Alice',
  image: null,
  role: 'user',
  custom: {},
  online: true,
  last_active_at: T0,
  created_at: T0,
  updated_at: T0,
};

/** Serialises a frame after validating it with `parseServerFrame`. */
export function wire(frame: ServerFrame): string {
  const text = JSON.stringify(frame);
  const parsed = parseServerFrame(text);
  if (!parsed.ok) throw new Error(`Test frame is not a valid server frame: ${JSON.stringify(parsed.error)}`);
  return text;
}

export function connectionOk(connectionId = 'conn-1'): EventOf<'connection.ok'> {
  return {
    type: 'connection.ok',
    connection_id: connectionId,
    user: alice,
    unread: { total_unread_count: 0, channels: [] },
    created_at: T0,
  };
}

export const healthCheck = (): EventOf<'health.check'> => ({ type: 'health.check', created_at: T0 });

/** An ordinary channel event, small enough to write by hand. */
export function typingStart(seq = 1, cid = 'messaging:general'): EventOf<'typing.start'> {
  return {
    type: 'typing.start',
    cid,
    seq,
    created_at: T0,
    user: { id: 'bob', name: 'Bob', image: null, online: true },
    parent_id: null,
  };
}

export type { ChatEvent };
