// Socket.IO v4 room broadcast: every socket joins the rooms named at connect (`?rooms=a,b`, or
// `bench`), and a `msg` event is emitted to its room (`{ room, event }`) or to `bench`. With
// REDIS_URL it runs with the official Redis adapter, so several nodes share the rooms.
import http from 'node:http';
import { createRequire } from 'node:module';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { announce, serveControl } from './common.mjs';

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false, transports: ['websocket'] });
let redis = [];
if (process.env.REDIS_URL) {
  // ioredis comes with @chat/server; the adapter accepts it.
  const require = createRequire(import.meta.resolve('@chat/server'));
  const { Redis } = require('ioredis');
  const pub = new Redis(process.env.REDIS_URL);
  const sub = pub.duplicate();
  redis = [pub, sub];
  io.adapter(createAdapter(pub, sub, { key: process.env.SIO_KEY ?? 'socket.io' }));
}

io.on('connection', (socket) => {
  const rooms = socket.handshake.query.rooms;
  socket.join(typeof rooms === 'string' && rooms ? rooms.split(',') : ['bench']);
  socket.on('msg', (payload) => {
    io.to(payload?.room ?? 'bench').emit('msg', payload);
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = httpServer.address();
  announce({ port, url: `http://127.0.0.1:${port}` });
});
serveControl(async () => {
  // Only this node's sockets: with the adapter, io.disconnectSockets() reaches every node.
  io.local.disconnectSockets(true);
  await new Promise((resolve) => io.close(() => resolve()));
  await Promise.allSettled(redis.map((client) => client.quit()));
});
