// A minimal WebSocket client on a raw TCP socket, the same for every target, so the load
// generator spends as little as possible per received frame: it parses frame headers only and
// hands the payload on as a Buffer slice (no UTF-8 decoding, no per-frame allocation beyond the
// slice). Enough of RFC 6455 for benchmarks: text frames, fragmentation, ping/pong, close.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const HEADER_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/**
 * One client socket. `onFrame(payload: Buffer)` gets every text/binary message; the Buffer may
 * point into a shared chunk, so copy what must outlive the call.
 */
export class RawWebSocket {
  /**
   * @param {{ host: string, port: number, path: string, onFrame: (payload: Buffer) => void,
   *   onOpen?: () => void, onClose?: (code: number, reason: string) => void,
   *   onError?: (error: Error) => void, headers?: Record<string, string> }} options
   */
  constructor(options) {
    this.options = options;
    this.open = false;
    this.closed = false;
    this.closeCode = 0;
    /** @type {Buffer} bytes received but not yet a whole frame */
    this.pending = EMPTY;
    /** @type {Buffer[] | null} fragments of a message in progress */
    this.fragments = null;
    this.handshake = EMPTY;
    const socket = net.connect({ host: options.host, port: options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      const key = randomBytes(16).toString('base64');
      const extra = Object.entries(options.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.write(
        `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
          `Sec-WebSocket-Version: 13\r\n${extra}\r\n`,
      );
    });
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => {
      this.options.onError?.(error);
      this.finish(1006, error.message);
    });
    socket.on('close', () => this.finish(this.closeCode || 1006, ''));
  }

  onData(chunk) {
    if (!this.open) {
      const data = this.handshake.length ? Buffer.concat([this.handshake, chunk]) : chunk;
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        this.handshake = data;
        return;
      }
      this.handshake = EMPTY;
      const head = data.toString('latin1', 0, end);
      if (!head.startsWith('HTTP/1.1 101')) {
        this.options.onError?.(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        this.socket.destroy();
        return;
      }
      this.open = true;
      this.options.onOpen?.();
      chunk = data.subarray(end + 4);
      if (chunk.length === 0) return;
    }
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    const length = buf.length;
    while (length - offset >= 2) {
      const b0 = buf[offset];
      const b1 = buf[offset + 1];
      let size = b1 & 0x7f;
      let start = offset + 2;
      if (size === 126) {
        if (length - offset < 4) break;
        size = buf.readUInt16BE(offset + 2);
        start += 2;
      } else if (size === 127) {
        if (length - offset < 10) break;
        size = Number(buf.readBigUInt64BE(offset + 2));
        start += 8;
      }
      if (b1 & 0x80) start += 4; // servers never mask, but tolerate it
      const end = start + size;
      if (end > length) break;
      const payload = buf.subarray(start, end);
      offset = end;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === OP_TEXT || opcode === OP_BINARY) {
        if (fin) this.options.onFrame(payload);
        else this.fragments = [Buffer.from(payload)];
      } else if (opcode === OP_CONT) {
        if (!this.fragments) continue;
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = null;
          this.options.onFrame(whole);
        }
      } else if (opcode === OP_PING) {
        this.writeFrame(0xa, payload);
      } else if (opcode === OP_CLOSE) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        // Answer, then let the server end the TCP connection: whoever sends the first FIN keeps
        // the TIME_WAIT, and ten thousand of them on this side would use up the ephemeral ports
        // a reconnect storm needs. A server that does not end it is reset.
        if (!this.closeSent) this.writeFrame(OP_CLOSE, payload.subarray(0, 2));
        this.closeSent = true;
        setTimeout(() => this.destroy(), 1_000).unref();
      }
      if (this.closed) return;
    }
    // Keep only the unparsed tail (copied, so the big chunk it came from can be freed).
    this.pending = offset === length ? EMPTY : Buffer.from(buf.subarray(offset));
    buf = EMPTY;
  }

  /** Sends a text message (masked, as clients must). */
  send(text) {
    if (!this.open || this.closed) return false;
    this.writeFrame(OP_TEXT, Buffer.from(text));
    return true;
  }

  writeFrame(opcode, payload) {
    const size = payload.length;
    const headerSize = size < 126 ? 2 : size < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(headerSize + 4 + size);
    frame[0] = 0x80 | opcode;
    if (size < 126) frame[1] = 0x80 | size;
    else if (size < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(size, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(size), 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, headerSize);
    const body = headerSize + 4;
    for (let i = 0; i < size; i++) frame[body + i] = payload[i] ^ mask[i & 3];
    this.socket.write(frame);
  }

  /** Closes with the close handshake (the peer may then enter TIME_WAIT, not us). */
  close(code = 1000) {
    if (this.closed || !this.open) return this.destroy();
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.closeSent = true;
    this.writeFrame(OP_CLOSE, payload);
  }

  /**
   * Drops the connection with a TCP reset: no close handshake and no TIME_WAIT on either side,
   * so tens of thousands of sockets can be torn down and opened again without running out of
   * ephemeral ports.
   */
  destroy() {
    if (this.socket.destroyed) return;
    try {
      this.socket.resetAndDestroy();
    } catch {
      this.socket.destroy();
    }
  }

  finish(code, reason) {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.closeCode = code;
    this.options.onClose?.(code, reason);
  }
}
