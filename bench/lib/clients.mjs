// The client side of every target, on the same raw socket (ws-raw.mjs), so each target costs the
// load generator the same per frame. A client does its target's handshake (none for the bare
// broadcast, the Engine.IO/Socket.IO open + namespace connect, or this server's auth frame and
// channel.watch), then counts bench messages with a byte search, parsing the send timestamp of
// only a sample of them.
import { messageShape } from './message-shape.mjs';
import { RawWebSocket } from './ws-raw.mjs';

/** Every bench message's text starts with this, then `<n> <send time in ms since epoch> `. */
export const MARK = Buffer.from('BMSG ');
const CHAT_EVENT = Buffer.from('{"type":"message.new"');
const CHAT_ACK = Buffer.from('{"type":"ack"');
const CHAT_ERROR = Buffer.from('{"type":"error"');
const SEQ = Buffer.from('"seq":');

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();

/** The text of bench message `n`, padded to `size` characters. */
export function benchText(n, size = 0) {
  const head = `BMSG ${n} ${nowMs().toFixed(3)} `;
  return size > head.length ? head + 'x'.repeat(size - head.length) : head;
}

function startsWith(buf, prefix) {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** Reads the unsigned decimal integer at `at`; returns [value, index after it]. */
function readInt(buf, at) {
  let value = 0;
  let i = at;
  for (; i < buf.length; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  return [value, i];
}

/** `<n> <ms.fff>` after the mark at `at`: the message number and its send time. */
export function readMark(buf, at) {
  const [n, i] = readInt(buf, at + MARK.length);
  const [whole, j] = readInt(buf, i + 1);
  let ms = whole;
  if (buf[j] === 46) {
    const [frac, k] = readInt(buf, j + 1);
    ms += frac / 10 ** (k - j - 1);
  }
  return [n, ms];
}

/**
 * The event a peer (bare ws, Socket.IO) carries for a message: the same shape and about the same
 * size as this server's `message.new`, so every target moves the same bytes.
 */
export function peerEvent(text, n, userId) {
  const at = new Date().toISOString();
  return {
    type: 'message.new',
    cid: 'messaging:bench',
    seq: n + 1,
    created_at: at,
    message: {
      ...messageShape({ cid: 'messaging:bench', seq: n + 1, n, text, userId, at, clientMsgId: `bench-${n}` }),
      quoted_message: null,
    },
  };
}

/** Target descriptions: how to reach it and speak its protocol. */
export const PROTOCOLS = {
  /** The bare `ws` broadcast server (bench/lib/targets/bare-ws.mjs): no handshake. */
  bare: {
    path: (_target, spec) => (spec.cids ? `/?rooms=${encodeURIComponent(spec.cids.join(','))}` : '/'),
    isDelivery: () => true,
    sendFrame: (_client, text, n, room) =>
      JSON.stringify(room ? { room, event: peerEvent(text, n, 'sender') } : peerEvent(text, n, 'sender')),
  },
  /** Socket.IO v4 over its WebSocket transport (Engine.IO protocol 4). */
  sio: {
    path: (_target, spec) =>
      `/socket.io/?EIO=4&transport=websocket${spec.cids ? `&rooms=${encodeURIComponent(spec.cids.join(','))}` : ''}`,
    isDelivery: (buf) => buf[0] === 52 && buf[1] === 50, // "42": an event
    sendFrame: (_client, text, n, room) =>
      `42${JSON.stringify(['msg', room ? { room, event: peerEvent(text, n, 'sender') } : peerEvent(text, n, 'sender')])}`,
  },
  /** This server: auth frame, then channel.watch of each channel. */
  chat: {
    path: (target) => `/v1/ws?api_key=${encodeURIComponent(target.apiKey)}`,
    isDelivery: (buf) => startsWith(buf, CHAT_EVENT),
    sendFrame: (client, text, n, cid) =>
      JSON.stringify({
        type: 'message.send',
        id: `s${n}`,
        cid,
        message: { client_msg_id: `${client.spec.userId}-${n}-${client.generation}`, text },
      }),
  },
};

/**
 * One benchmark client. `spec`: `{ userId?, token?, cids? }`. Hooks on `events`:
 * `ready(client)`, `closed(client, code)`, `failed(client, error)`, `delivery(client, buf, at)`,
 * `ack(client, buf)`, `error(client, buf)`.
 */
export class BenchClient {
  constructor(target, spec, index, events, options = {}) {
    this.target = target;
    this.protocol = PROTOCOLS[target.kind];
    this.spec = spec;
    this.index = index;
    this.events = events;
    this.options = options;
    this.generation = 0;
    this.state = 'idle';
    this.recv = 0;
    this.lastSeq = spec.lastSeq ?? 0;
    this.startedAt = 0;
    this.authedAt = 0;
    this.readyAt = 0;
    this.watchAcks = 0;
    this.recovered = 0;
    this.unrecovered = 0;
    this.ws = null;
    this.watchOnConnect = options.watchOnConnect !== false;
  }

  connect() {
    this.generation++;
    this.state = 'connecting';
    this.startedAt = nowMs();
    this.authedAt = 0;
    this.readyAt = 0;
    this.watchAcks = 0;
    const { host } = this.target;
    const port = this.spec.port ?? this.target.port;
    this.ws = new RawWebSocket({
      host,
      port,
      path: this.protocol.path(this.target, this.spec),
      onOpen: () => this.onOpen(),
      onFrame: (buf) => this.onFrame(buf),
      onClose: (code) => {
        const was = this.state;
        this.state = 'closed';
        if (was === 'connecting') this.events.failed?.(this, new Error(`closed ${code} during handshake`));
        this.events.closed?.(this, code, was);
      },
      onError: () => {},
    });
  }

  onOpen() {
    if (this.target.kind === 'bare') {
      this.authedAt = nowMs();
      return this.becomeReady();
    }
    if (this.target.kind === 'chat')
      this.ws.send(JSON.stringify({ type: 'auth', id: 'auth', token: this.spec.token }));
    // Socket.IO: wait for the Engine.IO open packet.
  }

  becomeReady() {
    this.state = 'ready';
    this.readyAt = nowMs();
    this.events.ready?.(this);
  }

  onFrame(buf) {
    // Events can arrive between a watch and its ack (the server registers the watch before it
    // reads the replay): they count like any other.
    if (this.state === 'ready' || (this.state === 'watching' && this.target.kind === 'chat')) {
      if (this.protocol.isDelivery(buf)) {
        const at = buf.indexOf(MARK);
        if (at >= 0) {
          this.recv++;
          if (this.options.trackSeq) {
            const s = buf.indexOf(SEQ);
            if (s >= 0) this.lastSeq = Math.max(this.lastSeq, readInt(buf, s + SEQ.length)[0]);
          }
          this.events.delivery?.(this, buf, at);
          return;
        }
      }
      if (this.state !== 'ready') return this.chatHandshake(buf);
      if (this.target.kind === 'sio') {
        if (buf.length === 1 && buf[0] === 50) this.ws.send('3'); // Engine.IO ping → pong
        return;
      }
      if (this.target.kind === 'chat') {
        if (startsWith(buf, CHAT_ACK)) this.events.ack?.(this, buf);
        else if (startsWith(buf, CHAT_ERROR)) this.events.error?.(this, buf);
      }
      return;
    }
    if (this.target.kind === 'sio') return this.sioHandshake(buf);
    if (this.target.kind === 'chat') return this.chatHandshake(buf);
  }

  sioHandshake(buf) {
    const text = buf.toString();
    if (text[0] === '0') this.ws.send('40');
    else if (text.startsWith('40')) {
      this.authedAt = nowMs();
      this.becomeReady();
    } else if (text === '2') this.ws.send('3');
    else if (text.startsWith('44')) this.fail(new Error(`socket.io connect error ${text}`));
  }

  chatHandshake(buf) {
    const frame = JSON.parse(buf.toString());
    if (frame.type === 'error') {
      return this.fail(new Error(`${frame.id ?? ''} ${frame.error?.code}: ${frame.error?.message}`));
    }
    if (frame.type !== 'ack') return; // connection.ok, presence, watcher counts
    if (frame.id === 'auth') {
      this.authedAt = nowMs();
      if (!this.watchOnConnect) return this.becomeReady();
      return this.sendWatches();
    }
    if (frame.id?.startsWith('w')) {
      const result = frame.result ?? {};
      if (result.recovered) this.recovered++;
      else if (this.lastSeq > 0 && this.options.resume) this.unrecovered++;
      for (const event of result.events ?? []) {
        if (typeof event.seq === 'number') this.lastSeq = Math.max(this.lastSeq, event.seq);
        this.events.replayed?.(this, event);
      }
      if (result.state?.channel?.seq !== undefined && !result.recovered)
        this.lastSeq = Math.max(this.lastSeq, Number(result.state.channel.seq));
      if (++this.watchAcks === (this.spec.cids ?? []).length) this.becomeReady();
    }
  }

  /** Watches the spec's channels now (for clients connected with `watchOnConnect: false`). */
  watch() {
    this.watchOnConnect = true; // and again after every reconnect
    this.state = 'watching';
    this.sendWatches();
  }

  sendWatches() {
    const cids = this.spec.cids ?? [];
    this.watchAcks = 0;
    if (cids.length === 0) return this.becomeReady();
    this.state = 'watching';
    cids.forEach((cid, i) => {
      const watch = { type: 'channel.watch', id: `w${i}`, cid, message_limit: 0 };
      if (this.lastSeq > 0 && this.options.resume) watch.since = this.lastSeq;
      this.ws.send(JSON.stringify(watch));
    });
  }

  fail(error) {
    this.state = 'failed';
    this.events.failed?.(this, error);
    this.ws.destroy();
  }

  /** Sends bench message `n` to `room` (a cid for this server, a room name for the peers). */
  sendBench(text, n, room) {
    return this.ws?.send(this.protocol.sendFrame(this, text, n, room)) ?? false;
  }

  destroy() {
    this.state = 'closed';
    this.ws?.destroy();
  }
}
