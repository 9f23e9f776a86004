import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * Optional OpenTelemetry tracing: a span per HTTP request and per socket frame, exported over
 * OTLP/HTTP when an endpoint is configured (the standard `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), continuing a caller's trace from its `traceparent`
 * header. Off (no span made, nothing loaded beyond these imports) when no endpoint is set.
 *
 * One provider per server, not the global one: tests run several servers in one process. Spans
 * carry what the metrics carry (method, route template, frame type, status), never a query
 * string, a body or a user's data.
 */
export interface TracingConfig {
  /** Where spans go: an OTLP/HTTP traces URL (`…/v1/traces`). */
  tracesUrl: string;
  /** `service.name` (`OTEL_SERVICE_NAME`, default `chat-server`). */
  serviceName: string;
  /** How long spans are batched before export (ms). */
  exportDelayMs?: number;
}

export interface Tracing {
  /** A server span, continuing the trace of `headers` (`traceparent`) when it names one. */
  startServerSpan(name: string, attributes: Attributes, headers?: Record<string, unknown>): Span | null;
  /** Ends `span` with its outcome. */
  endSpan(span: Span | null, outcome: { error?: boolean; attributes?: Attributes }): void;
  /** Exports what is batched and stops. */
  shutdown(): Promise<void>;
}

export const NO_TRACING: Tracing = {
  startServerSpan: () => null,
  endSpan: () => undefined,
  shutdown: async () => undefined,
};

/** Reads the standard variables: the traces URL, or the base endpoint plus `/v1/traces`. */
export function loadTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig | null {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = traces || (base ? `${base.replace(/\/$/, '')}/v1/traces` : '');
  if (!tracesUrl) return null;
  try {
    const url = new URL(tracesUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(
      `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT must be an http(s) URL, got ${JSON.stringify(tracesUrl)}`,
    );
  }
  return { tracesUrl, serviceName: env.OTEL_SERVICE_NAME || 'chat-server' };
}

export function createTracing(config: TracingConfig | null | undefined, version: string): Tracing {
  if (!config) return NO_TRACING;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': version }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: config.tracesUrl }),
        scheduledDelayMillis: config.exportDelayMs ?? 2_000,
      }),
    ],
  });
  const tracer: Tracer = provider.getTracer('@chat/server', version);
  const propagator = new W3CTraceContextPropagator();
  return {
    startServerSpan(name, attributes, headers) {
      const parent: Context = headers
        ? propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
        : ROOT_CONTEXT;
      return tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    },
    endSpan(span, outcome) {
      if (!span) return;
      if (outcome.attributes) span.setAttributes(outcome.attributes);
      if (outcome.error) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
    shutdown: () => provider.shutdown(),
  };
}
