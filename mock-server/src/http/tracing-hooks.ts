import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tracing } from '../observability/tracing';

/**
 * A server span per HTTP request (observability/tracing.ts), named by method and route template,
 * continuing the caller's trace (`traceparent`); a 5xx marks it failed. Registered only when
 * tracing is on.
 */
export function registerTracing(app: FastifyInstance, tracing: Tracing): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracing.startServerSpan(
      `${request.method} ${route}`,
      { 'http.request.method': request.method, 'http.route': route },
      request.headers,
    );
    if (span) spans.set(request, span);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    tracing.endSpan(spans.get(request) ?? null, {
      error: reply.statusCode >= 500,
      attributes: { 'http.response.status_code': reply.statusCode },
    });
    done();
  });
}
