import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeTextFrame } from './text-frame';

/** A server that writes pre-built frames straight to the upgraded socket, as the gateway does. */
const http = createServer();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
let raw: Promise<Duplex>;
beforeAll(async () => {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  wss.close();
  http.close();
});

async function connect(): Promise<{ client: WebSocket; socket: Duplex }> {
  raw = new Promise((resolve) => {
    http.once('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, () => resolve(socket));
    });
  });
  const { port } = http.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  return { client, socket: await raw };
}

describe('encodeTextFrame', () => {
  it.each([0, 1, 125, 126, 1_000, 65_535, 65_536, 200_000])(
    'frames a %i-byte payload as one text frame a WebSocket client reads back',
    async (size) => {
      const text = 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
      const payload = Buffer.from(text);
      expect(payload.length).toBe(size);
      const frame = encodeTextFrame(payload);
      expect(frame.length - size).toBe(size < 126 ? 2 : size < 65_536 ? 4 : 10);
      // The same frame from the string (multi-byte characters included).
      expect(encodeTextFrame(text).equals(frame)).toBe(true);

      const { client, socket } = await connect();
      const received = new Promise<{ text: string; binary: boolean }>((resolve) =>
        client.once('message', (data: Buffer, binary: boolean) => resolve({ text: data.toString(), binary })),
      );
      socket.write(frame);
      expect(await received).toEqual({ text, binary: false });
      client.close();
    },
  );
});
