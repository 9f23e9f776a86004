import { LIMITS } from '@chat/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { VerifyOptions } from '../auth';
import type { HttpConfig } from '../config';
import { Accounts } from '../domain/accounts';
import type { Db } from '../domain/actor';
import type { Publish } from '../domain/deps';
import type { WriteBudget } from '../limits/write-budget';
import { registerErrorHandling } from './errors';
import { createHandlers } from './handlers';
import { buildOpenApiDocument } from './openapi';
import { registerRoutes } from './routes';
import { inlineScriptsOf, registerSecurityHeaders } from './security-headers';
import { readIndexHtml, registerWebRoot } from './web-root';

export interface HttpAppOptions {
  db: Db;
  publish: Publish;
  logger: Logger;
  version: string;
  /** Answers /readyz: false while starting or draining. */
  isReady: () => boolean;
  /** A built web app to serve at `/` (same origin as the API). */
  webRoot?: string | undefined;
  /** How tokens are verified (the longest lifetime accepted). */
  tokens: VerifyOptions;
  /** The users' write budget, shared with the socket. */
  writes: WriteBudget;
  http: HttpConfig;
}

/** The REST half of the server: routes from the protocol table, health probes, OpenAPI. */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: LIMITS.BODY_BYTES,
    // Rejects bodies that would reach an object's prototype instead of silently dropping keys.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: proxyTrust(options.http.trustProxy),
    // A client must send its request in time: half-sent requests no longer hold sockets open.
    requestTimeout: options.http.requestTimeoutMs,
    keepAliveTimeout: options.http.keepAliveTimeoutMs,
    http: {
      headersTimeout: options.http.headersTimeoutMs,
      // Node checks those timeouts every 30 s by default, which would double them.
      connectionsCheckingInterval: 1_000,
    },
  });
  registerSecurityHeaders(app, {
    inlineScripts: options.webRoot !== undefined ? inlineScriptsOf(readIndexHtml(options.webRoot)) : [],
  });
  registerErrorHandling(app, { spaFallback: options.webRoot !== undefined });
  if (options.webRoot !== undefined) registerWebRoot(app, options.webRoot);

  const openApi = buildOpenApiDocument(options.version);
  app.get('/v1/openapi.json', async () => openApi);
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    if (!options.isReady()) return reply.status(503).send({ ok: false });
    await options.db.selectFrom('applications').select('id').limit(1).execute();
    return { ok: true };
  });

  const handlers = createHandlers({
    db: options.db,
    publish: options.publish,
    accounts: new Accounts(options.db, {
      registrationsPerIpPerHour: options.http.registrationsPerIpPerHour,
      registrationsPerAppPerHour: options.http.registrationsPerAppPerHour,
    }),
  });
  registerRoutes(app, { db: options.db, handlers, tokens: options.tokens, writes: options.writes });
  return app;
}

/** Fastify's form of the setting: a hop count becomes "trust the first N hops". */
function proxyTrust(
  setting: HttpConfig['trustProxy'],
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}
