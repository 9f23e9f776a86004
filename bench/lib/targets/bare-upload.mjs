// The media scenario's baseline: a bare Node http server that streams a PUT body to a file
// (`pipeline(req, createWriteStream(file))`), nothing else: no auth, no signature, no size cap,
// no database. What a file upload costs on this machine's loopback and disk at the least.
// Files go to BARE_UPLOAD_DIR (the scenario removes them after each round).
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { announce, serveControl } from './common.mjs';

const dir = process.env.BARE_UPLOAD_DIR;
if (!dir) throw new Error('BARE_UPLOAD_DIR is not set');
let n = 0;

const server = createServer((req, res) => {
  if (req.method !== 'PUT') {
    res.writeHead(405).end();
    return;
  }
  const file = join(dir, `upload-${process.pid}-${++n}`);
  pipeline(req, createWriteStream(file)).then(
    () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ file }));
    },
    (error) => {
      res.writeHead(500).end(String(error?.message ?? error));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  announce({ port, url: `http://127.0.0.1:${port}` });
});
serveControl(() => new Promise((resolve) => server.close(() => resolve())));
