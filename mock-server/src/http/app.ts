import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { LIMITS, makeError } from '@chat/protocol';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { VerifyOptions } from '../domain/auth/index';
import { withMediaUrls } from '../domain/media-urls';
import type { BeforeSendHooks } from '../domain/messages/before-send';
import type { ContentFilters } from '../domain/messages/content-filter';
import { Accounts } from '../domain/users/accounts';
import type { Publish } from '../events/published-event';
import { outages } from '../kernel/dependency-status';
import type { WriteBudget } from '../limits/write-budget';
import type { HttpConfig } from '../startup/config';
import type { DiskStorage } from '../storage/disk-storage';
import type { UploadServices } from '../storage/uploads';
import type { UrlSigner } from '../storage/url-signer';
import { type DataAccess, type PlatformDb, perApp } from '../store/data-access';
import { asyncApiRoute } from './asyncapi';
import type { BlocklistServices } from './blocklist-handlers';
import { registerDocsPages } from './docs-pages';
import { registerErrorHandling } from './errors';
import { createHandlers } from './handlers';
import { type MetricsRouteOptions, registerMetrics } from './metrics-route';
import { buildOpenApiDocument } from './openapi';
import type { PushServices } from './push-handlers';
import { registerRoutes } from './routes';
import { inlineScriptsOf, registerSecurityHeaders } from './security-headers';
import { registerStorageRoutes } from './storage-routes';
import { readIndexHtml, registerWebRoot } from './web-root';
import type { WebhookServices } from './webhook-handlers';

export interface HttpAppOptions {
  data: DataAccess;
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
  /** The webhook endpoints' guard, and the before-send hooks (asked before each send). */
  webhooks: WebhookServices & { beforeSend: BeforeSendHooks & WebhookServices['beforeSend'] };
  /** How push credentials are sealed at rest. */
  push: PushServices;
  /** The applications' blocklists: screened on each send and edit, dropped on a change. */
  blocklists: ContentFilters & BlocklistServices;
  /** Object storage and the upload policy; `disk` and its signer when files are kept on disk. */
  uploads: UploadServices & { disk?: DiskStorage; signer: UrlSigner };
  /**
   * Serve the REST API (default). A realtime-only node leaves it out and keeps health,
   * readiness and the documents.
   */
  rest?: boolean;
  /** `/metrics`, the request histogram and (when on) request spans: every role has them. */
  metrics: MetricsRouteOptions;
}

/** Whether one query answers within 2 s. */
async function databaseAnswers(db: PlatformDb): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 2_000);
  });
  const query = db
    .selectFrom('applications')
    .select('id')
    .limit(1)
    .execute()
    .then(
      () => true as const,
      () => false as const,
    );
  try {
    return await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
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
    // Long path parameters reach the schema, which names the field; the URL is bounded anyway
    // (Node refuses request heads over 16 KiB).
    routerOptions: { maxParamLength: 16 * 1024 },
    // What Fastify and Node refuse before any route runs answers in the one error shape too.
    frameworkErrors: (error, _request, reply) => {
      const code = (error as { code?: string }).code;
      const body =
        code === 'FST_ERR_BAD_URL'
          ? makeError('validation_failed', 'The URL is not valid (bad percent-encoding)')
          : code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? makeError('validation_failed', 'A path segment is too long')
            : makeError('validation_failed', 'The request could not be read');
      void (reply as FastifyReply).status(body.status).send({ error: body });
    },
    clientErrorHandler: answerClientError,
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
  registerMetrics(app, options.metrics);
  if (options.webRoot !== undefined) registerWebRoot(app, options.webRoot);

  const openApi = buildOpenApiDocument(options.version);
  app.get('/v1/openapi.json', async () => openApi);
  app.get('/v1/asyncapi.json', asyncApiRoute(options.version));
  registerDocsPages(app);
  app.get('/healthz', async () => ({ ok: true }));
  // Liveness (/healthz) stays up through an outage: the process is fine and recovers by itself.
  // Readiness says 503 with the reasons while it is starting, stopping, or degraded (a
  // dependency away): a load balancer and an operator see why.
  app.get('/readyz', async (_request, reply) => {
    if (!options.isReady()) return reply.status(503).send({ ok: false, reasons: ['starting or stopping'] });
    const reasons = outages();
    if (!(await databaseAnswers(options.data.platform))) reasons.push('the database does not answer');
    if (reasons.length > 0) return reply.status(503).send({ ok: false, reasons });
    return { ok: true };
  });

  if (options.rest === false) return app;
  const accounts = new Accounts(options.data, {
    registrationsPerIpPerHour: options.http.registrationsPerIpPerHour,
    registrationsPerAppPerHour: options.http.registrationsPerAppPerHour,
  });
  // Each application's handlers see only its data: the domain below never gets a wider builder.
  const handlersFor = perApp((appId) =>
    createHandlers({
      db: options.data.forApp(appId),
      publish: options.publish,
      beforeSend: options.webhooks.beforeSend,
      contentFilters: options.blocklists,
      blocklists: options.blocklists,
      accounts,
      webhooks: options.webhooks,
      push: options.push,
      uploads: options.uploads,
    }),
  );
  // Message views sign their uploaded files' URLs wherever they are built in a request.
  app.addHook('onRequest', (_request, _reply, done) => withMediaUrls(options.uploads.media, done));
  // Reads the browser session's cookie on the auth endpoints (http/session-cookie.ts).
  void app.register(fastifyCookie);
  registerRoutes(app, { data: options.data, handlersFor, tokens: options.tokens, writes: options.writes });
  if (options.uploads.disk) registerStorageRoutes(app, options.uploads.disk, options.uploads.signer);
  return app;
}

/** Fastify's form of the setting: a hop count becomes "trust the first N hops". */
function proxyTrust(
  setting: HttpConfig['trustProxy'],
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/**
 * Node's parser refused the request before Fastify saw it (a malformed request line or header,
 * headers over 16 KiB, too slow to arrive): answered in the one error shape, then closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? makeError('request_timeout', 'The request did not arrive in time')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? makeError('payload_too_large', 'The request headers are too large')
        : makeError('validation_failed', 'The request could not be read');
  const json = JSON.stringify({ error: body });
  socket.end(
    `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}
