import { type ErrorBody, makeError } from '@chat/protocol';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { failureBody, logFailure } from '../kernel/dependency-failure';
import { ChatError } from '../kernel/errors';

/** Maps anything thrown while serving a request to the protocol's one error shape. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ChatError) return error.body;
  const e = error as Partial<FastifyError> & { statusCode?: number };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return makeError('payload_too_large', 'The request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return makeError('validation_failed', 'Send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return makeError('validation_failed', 'The JSON body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return makeError('validation_failed', 'The body is not valid JSON');
  }
  if (error instanceof SyntaxError || (e.statusCode === 400 && /JSON|prototype/i.test(e.message ?? ''))) {
    return makeError('validation_failed', `The body is not acceptable JSON: ${e.message}`);
  }
  // Anything else the HTTP layer marks as the client's fault (a body cut short, a bad content
  // length, a malformed URL) is a 4xx: the request could not be read, nothing was done.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return makeError('payload_too_large', 'The request is too large');
    return makeError('validation_failed', 'The request could not be read');
  }
  // The database or Redis unreachable or saturated is `unavailable`, retried; a bug is `internal`.
  return failureBody(error);
}

/** The client hung up before its request was read or answered: nothing to answer, nothing broken. */
function clientWentAway(request: FastifyRequest): boolean {
  return request.raw.aborted || request.raw.socket.destroyed;
}

/**
 * `spaFallback`: a web app is served from the same origin; a GET of a page path outside `/v1`
 * (no file extension) answers its `index.html`, so the app's own routes survive a reload.
 */
export function registerErrorHandling(app: FastifyInstance, options: { spaFallback?: boolean } = {}): void {
  app.setErrorHandler((error, request, reply) => {
    const body = toErrorBody(error);
    if (clientWentAway(request)) {
      // Logged without a stack, and not as a server error: the client left mid-request.
      request.log.info({ code: (error as { code?: unknown }).code }, 'client closed the request');
    } else if (body.status >= 500) {
      // During an outage or overload, one line per failed request would bury what matters.
      logFailure(request.log, error, 'request failed');
    }
    if (body.details?.retry_after_ms !== undefined) {
      reply.header('retry-after', Math.ceil(body.details.retry_after_ms / 1000));
    }
    reply.status(body.status).send({ error: body });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const page = request.method === 'GET' && !path.startsWith('/v1/') && !/\.[a-z0-9]+$/i.test(path);
    if (options.spaFallback && page) return reply.sendFile('index.html');
    reply
      .status(404)
      .send({ error: makeError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`) });
  });
}
