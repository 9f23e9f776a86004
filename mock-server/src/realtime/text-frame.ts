/**
 * A complete, unmasked WebSocket text frame (RFC 6455 §5.2) holding `payload` (bytes, or a string
 * encoded as UTF-8), built once per event and written as it is to every socket that gets the
 * event: the per-socket work is one write, with no header to build and no copy. Servers never
 * mask their frames.
 */
export function encodeTextFrame(payload: Buffer | string): Buffer {
  // A string is encoded straight into the frame: one copy, no intermediate buffer.
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (typeof payload === 'string') frame.write(payload, headerLength);
  else payload.copy(frame, headerLength);
  return frame;
}
