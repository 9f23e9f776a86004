import type { ClientFrame, ServerFrame } from '@chat/protocol';
import { LIMITS } from '@chat/protocol/constants';
import { ValidationError } from '../errors';

/** The protocol's frame size limit. */
export const FRAME_BYTES = LIMITS.FRAME_BYTES;

/**
 * Turns a raw socket message into a server frame, or `undefined` to drop it. The default
 * checks only the envelope (JSON, `type`, ack/error shape): the server built the frame with the
 * protocol's schemas, and validating again here would ship zod to every browser. Pass the
 * protocol's `parseServerFrame` instead where full validation is worth its size (tests, bots).
 */
export type FrameParser = (data: unknown) => ServerFrame | undefined;

let decoder: TextDecoder | undefined;

function asText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    decoder ??= new TextDecoder();
    return decoder.decode(data);
  }
  return undefined;
}

/** The default `FrameParser`: a structural check of the envelope. */
export const decodeFrame: FrameParser = (data) => {
  const text = asText(data);
  // A string has at most as many UTF-16 units as UTF-8 bytes, so this never drops a legal frame.
  if (text === undefined || text.length > FRAME_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const frame = value as { type?: unknown; id?: unknown; error?: unknown };
  if (typeof frame.type !== 'string') return undefined;
  if (frame.type === 'ack' && typeof frame.id !== 'string') return undefined;
  if (frame.type === 'error' && (typeof frame.error !== 'object' || frame.error === null)) return undefined;
  return value as ServerFrame;
};

let encoder: TextEncoder | undefined;

/** Serialises a client frame, refusing one the server would answer by closing the socket (1009). */
export function encodeFrame(frame: ClientFrame): string {
  const text = JSON.stringify(frame);
  // Three UTF-8 bytes per UTF-16 unit at most: most frames skip the encoding entirely.
  if (text.length * 3 > FRAME_BYTES) {
    encoder ??= new TextEncoder();
    if (encoder.encode(text).byteLength > FRAME_BYTES) {
      throw new ValidationError({
        code: 'payload_too_large',
        status: 413,
        message: `Frames are limited to ${FRAME_BYTES} bytes`,
      });
    }
  }
  return text;
}
