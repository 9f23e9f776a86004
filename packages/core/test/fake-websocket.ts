import type { ClientFrame } from '@chat/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../src/environment';
import { type alice, connectionOk, wire } from './frames';

/**
 * An in-memory WebSocket with the server's side exposed: tests open, answer, push and drop
 * sockets by hand, in exact order, on fake timers.
 */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  /** Raw frames the client sent. */
  readonly sent: string[] = [];
  /** Set when the client closed the socket. */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('FakeWebSocket: send while not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.closedByClient = { code, reason };
    this.onclose?.({ code: code ?? 1005, reason: reason ?? '' });
  }

  // --- the server's side ------------------------------------------------------------------------

  /** Client frames, parsed. */
  get frames(): ClientFrame[] {
    return this.sent.map((data) => JSON.parse(data) as ClientFrame);
  }

  lastFrame<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }> {
    const frame = this.frames.filter((f) => f.type === type).at(-1);
    if (!frame) throw new Error(`FakeWebSocket: no ${type} frame was sent`);
    return frame as Extract<ClientFrame, { type: T }>;
  }

  /** The TCP/WebSocket handshake completed. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Accepts, then answers the auth frame the way the gateway does: ack, then `connection.ok`. */
  authenticate(connectionId = 'conn-1', user?: typeof alice): void {
    if (this.readyState === 0) this.accept();
    const auth = this.lastFrame('auth');
    this.push({ type: 'ack', id: auth.id, result: { connection_id: connectionId } });
    this.push(user ? { ...connectionOk(connectionId), user } : connectionOk(connectionId));
  }

  /** Sends a server frame (validated against the protocol) or raw text to the client. */
  push(frame: Parameters<typeof wire>[0] | { raw: string }): void {
    this.onmessage?.({ data: 'raw' in frame ? frame.raw : wire(frame) });
  }

  /** The server (or the network) closed the socket. */
  drop(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** A WebSocket constructor for `env.WebSocket` that records every socket it makes. */
export function fakeSockets(): {
  WebSocket: WebSocketConstructor;
  sockets: FakeWebSocket[];
  last(): FakeWebSocket;
} {
  const sockets: FakeWebSocket[] = [];
  class TrackedWebSocket extends FakeWebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: TrackedWebSocket,
    sockets,
    last() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('No socket was opened');
      return socket;
    },
  };
}
