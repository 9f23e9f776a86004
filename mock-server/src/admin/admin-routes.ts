import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChatError } from '../kernel/errors';
import type { Store } from '../store/database';
import { removeAdminFile, writeAdminFile } from './admin-file';
import { ADMIN_OPERATIONS, type AdminContext, parseAdminInput } from './admin-operations';

/**
 * The admin path of a server that holds a PGlite data directory: while it runs, no other process
 * may open the database, so `chat-server create-app` and `token` ask it instead. The routes sit
 * outside the public API (no api key, not in the OpenAPI document) and answer only the bearer of
 * the random token the server writes to `admin.json` in its data directory when it listens. A
 * store without a data directory lock (in memory, PostgreSQL) gets no admin path: there the CLI
 * opens the database itself.
 */
export function registerAdmin(app: FastifyInstance, store: Store, settings: Omit<AdminContext, 'db'>): void {
  const lock = store.dataDirLock;
  if (!lock) return;
  const token = randomBytes(32).toString('base64url');
  const expected = digest(token);

  const authorize = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header) : null;
    // Compared as digests: equal lengths for timingSafeEqual, and no timing clue to the token.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new ChatError('unauthenticated', 'Send Authorization: Bearer <the token in admin.json>');
    }
  };
  for (const operation of ADMIN_OPERATIONS) {
    app.post(operation.path, { onRequest: authorize }, async (request, reply) => {
      const result = await operation.run(
        { db: store.db, ...settings },
        parseAdminInput(operation, request.body),
      );
      return reply.status(operation.status).send(result);
    });
  }

  // Synchronous, like the files it writes: listen() resolves only after this hook has run.
  app.addHook('onListen', (done) => {
    const url = reachableUrl(app.server.address() as AddressInfo);
    lock.announce(url);
    writeAdminFile(lock.dataDir, { url, token, pid: process.pid });
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    removeAdminFile(lock.dataDir, token);
    done();
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Where a CLI on this host reaches the server: loopback when it listens on every interface. */
function reachableUrl(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return `http://127.0.0.1:${address.port}`;
  if (address.address === '::') return `http://[::1]:${address.port}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
