// The floor: a bare `ws` server with no auth and no storage. BARE_MODE=broadcast (default) is
// the broadcast example from the ws README, verbatim in spirit: every message goes to every open
// client. BARE_MODE=rooms routes `{ room, event }` frames to the clients that joined `room`
// (`/?rooms=a,b` at connect), the least a server needs for many small channels.
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { announce, serveControl } from './common.mjs';

const mode = process.env.BARE_MODE ?? 'broadcast';
const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server });
const rooms = new Map();

wss.on('connection', (ws, request) => {
  ws.on('error', () => {});
  if (mode === 'broadcast') {
    ws.on('message', (data, isBinary) => {
      wss.clients.forEach((client) => {
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
      });
    });
    return;
  }
  const joined = new URL(request.url ?? '/', 'http://x').searchParams.get('rooms')?.split(',') ?? [];
  for (const room of joined) {
    let set = rooms.get(room);
    if (!set) {
      set = new Set();
      rooms.set(room, set);
    }
    set.add(ws);
  }
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(ws);
  });
  ws.on('message', (data, isBinary) => {
    const { room } = JSON.parse(data.toString());
    for (const client of rooms.get(room) ?? []) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  announce({ port, url: `http://127.0.0.1:${port}` });
});
serveControl(
  () =>
    new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolve());
    }),
);
