import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChatError } from '../kernel/errors';
import type { Metrics } from '../observability/metrics';
import { NO_TRACING, type Tracing } from '../observability/tracing';
import { registerTracing } from './tracing-hooks';

export interface MetricsRouteOptions {
  metrics: Metrics;
  /**
   * `CHAT_METRICS_TOKEN`: when set, `/metrics` answers a request with `Authorization: Bearer
   * <token>` only. When not, it answers this machine's own requests (loopback peers) outside
   * production, and nothing in production: behind a load balancer every request could come from
   * a private or local address, so no address is trusted there.
   */
  token?: string | undefined;
  production: boolean;
  /** A span per request when tracing is on (observability/tracing.ts). */
  tracing?: Tracing;
}

/**
 * `GET /metrics` in Prometheus's text format, and the request-duration histogram every response
 * feeds (by route template, so a million channel ids are still one series).
 */
export function registerMetrics(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { metrics } = options;
  if (options.tracing && options.tracing !== NO_TRACING) registerTracing(app, options.tracing);
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestAnswered(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async (request, reply) => {
    allowScrape(request, options);
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}

function allowScrape(request: FastifyRequest, options: MetricsRouteOptions): void {
  if (options.token) {
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, options.token)) {
      throw new ChatError('unauthenticated', 'Metrics need Authorization: Bearer <CHAT_METRICS_TOKEN>');
    }
    return;
  }
  if (options.production) {
    throw new ChatError('not_found', 'Metrics are served when CHAT_METRICS_TOKEN is set');
  }
  if (!isLoopback(request.socket.remoteAddress)) {
    throw new ChatError('forbidden', 'Without CHAT_METRICS_TOKEN, metrics answer this machine only');
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
