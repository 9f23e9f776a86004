// Channels, members and messages in the server's shapes, for the pages the browser scenarios
// build (the same builders as the client-state scenario's, which runs them in Node).
import { messageShape } from '../../lib/message-shape.mjs';

export const ME = 'me';
export const OTHERS = ['ann', 'bob', 'cy'];
const T0 = Date.parse('2025-01-01T00:00:00Z');

const userRef = (id) => ({ id, name: id[0].toUpperCase() + id.slice(1), image: null, online: true });

const SHORT = 'a line of chat about the same length as people write, give or take a word.';
const LONG =
  'A longer message, the kind that wraps over a few lines in a narrow column: it explains something, ' +
  'quotes a number or two, and ends with a question that the next message answers. ';

/**
 * Message `seq` of channel `cid`. With `varied`, authors change every few messages, one message
 * in five is long and the timestamps span days (date separators, author headers and grouped rows
 * all occur, and rows differ in height); otherwise every message is one short line.
 */
export function message(cid, seq, { varied = false, base = 0 } = {}) {
  if (!varied) {
    return messageShape({
      cid,
      seq,
      n: base + seq,
      text: `Message ${seq}: ${SHORT}`,
      userId: seq % 3 === 0 ? ME : OTHERS[0],
      at: new Date(T0 + seq * 1000).toISOString(),
      clientMsgId: `c-${cid}-${seq}`,
    });
  }
  const author = [ME, ...OTHERS][Math.floor(seq / 3 + (seq % 7 === 0 ? 1 : 0)) % 4];
  const shape = messageShape({
    cid,
    seq,
    n: base + seq,
    text: `message ${seq}: ${seq % 5 === 0 ? LONG.repeat(1 + (seq % 3)) : SHORT}`,
    userId: author,
    // ~2 minutes apart: about 700 a day, so the list crosses ~14 days.
    at: new Date(T0 + seq * 123_000).toISOString(),
    clientMsgId: `c-${cid}-${seq}`,
  });
  return { ...shape, user: userRef(author) };
}

export function channel(cid, seq) {
  const [type, id] = cid.split(':');
  const at = new Date(T0).toISOString();
  return {
    cid,
    type,
    id,
    name: `Channel ${id}`,
    image: null,
    custom: {},
    created_by: ME,
    member_count: 1 + OTHERS.length,
    frozen: false,
    seq,
    last_message_at: new Date(T0 + seq * 1000).toISOString(),
    created_at: at,
    updated_at: at,
    deleted_at: null,
    truncated_at: null,
  };
}

export function member(cid, userId) {
  const at = new Date(T0).toISOString();
  return {
    cid,
    user_id: userId,
    user: userRef(userId),
    role: 'member',
    muted: false,
    banned: false,
    ban_expires_at: null,
    unread_count: 0,
    created_at: at,
    updated_at: at,
  };
}

/**
 * What `channel.watch` answers with: the channel, its members and `count` messages (only the
 * `newest` of them when given: what a channel query answers for a list).
 */
export function serverState(cid, count, { newest = count, ...options } = {}) {
  const members = [ME, ...OTHERS].map((id) => member(cid, id));
  const first = count - Math.min(newest, count) + 1;
  return {
    channel: channel(cid, count),
    members,
    messages: Array.from({ length: count - first + 1 }, (_, i) => message(cid, first + i, options)),
    read: [],
    membership: members[0],
    draft: null,
  };
}

export const connectionOk = () => ({
  type: 'connection.ok',
  connection_id: 'c1',
  user: {
    ...userRef(ME),
    role: 'user',
    custom: {},
    last_active_at: null,
    created_at: new Date(T0).toISOString(),
    updated_at: new Date(T0).toISOString(),
  },
  unread: { total_unread_count: 0, channels: [] },
  created_at: new Date().toISOString(),
});

/**
 * A WebSocket class for `ChatClient`'s `env.WebSocket` that answers the client in memory: `auth`
 * with an ack and `connection.ok`, `channel.watch` with the class's `state` (the JSON of a
 * `serverState()`), anything else with an empty ack. `deliver(fn)` schedules each answer and each
 * close: the client-state scenario (Node) passes `queueMicrotask`, the browser pages `setTimeout`
 * (a task, as browsers dispatch socket messages). The socket opens a task after it is made, unless
 * the class's `never` is set (an offline start). `last` is the newest socket, for pushing events.
 *
 * Each call returns a new class, so each user has its own `state`, `last` and `never`.
 */
export function memorySocketClass(deliver) {
  return class MemorySocket {
    static state = '';
    static last = null;
    static never = false;
    constructor() {
      this.readyState = 0;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      MemorySocket.last = this;
      if (MemorySocket.never) return;
      setTimeout(() => {
        this.readyState = 1;
        this.onopen?.({});
      });
    }
    push(frame) {
      this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }
    send(text) {
      const frame = JSON.parse(text);
      deliver(() => {
        if (frame.type === 'auth') {
          this.push({ type: 'ack', id: frame.id, result: { connection_id: 'c1' } });
          this.push(connectionOk());
        } else if (frame.type === 'channel.watch') {
          this.push(
            `{"type":"ack","id":${JSON.stringify(frame.id)},"result":{"recovered":false,"events":[],"state":${MemorySocket.state},"watcher_count":1}}`,
          );
        } else this.push({ type: 'ack', id: frame.id, result: {} });
      });
    }
    close(code = 1000, reason = '') {
      this.readyState = 3;
      deliver(() => this.onclose?.({ code, reason }));
    }
  };
}

const NOT_FOUND =
  '{"error":{"code":"not_found","message":"no such endpoint in this bench","status":404,"retryable":false}}';

/**
 * A `fetch` for `ChatClient`'s `env.fetch` that answers `POST /v1/channels/query` from `states`
 * (`serverState()`s) as the server does: newest activity first, `limit` channels per page (the
 * cursor is the offset), each with its newest `message_limit` messages (default 25). Anything else
 * is a 404. With no `states`: a server with no REST at all.
 */
export function memoryFetch(states = []) {
  const sorted = [...states].sort(
    (a, b) => Date.parse(b.channel.last_message_at) - Date.parse(a.channel.last_message_at),
  );
  return async (url, init = {}) => {
    if (init.method !== 'POST' || new URL(url).pathname !== '/v1/channels/query')
      return new Response(NOT_FOUND, { status: 404 });
    const { limit = 25, cursor, message_limit: messageLimit = 25 } = JSON.parse(init.body ?? '{}');
    const from = cursor ? Number(cursor) : 0;
    const channels = sorted
      .slice(from, from + limit)
      .map((s) => ({ ...s, messages: messageLimit ? s.messages.slice(-messageLimit) : [] }));
    const next = from + limit < sorted.length ? String(from + limit) : null;
    return Response.json({ channels, next_cursor: next });
  };
}
