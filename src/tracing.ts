// OpenTelemetry traces, off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, read by the exporter as the OpenTelemetry specification says):
// one span per HTTP request (server.ts), the GraphQL operation's spans below it (@envelop/opentelemetry:
// parse, validate, execute; one per resolver with TRACE_RESOLVERS=true), and one per SQL statement
// (database/statement-counter.ts). Spans leave in batches over OTLP/HTTP (JSON).
//
// Off by default because following a request through its promises (AsyncLocalStorage) costs every
// request (about a tenth of the server CPU per request in the benchmark's Q1 and Q2).
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { context, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Plugin } from 'graphql-yoga';
import { traceStatements } from './database/statement-counter.js';

export type TracingSettings = { serviceName: string; resolvers: boolean; batchDelayMs: number };

export type Tracing = { tracer: Tracer; graphqlPlugin: Plugin; shutdown(): Promise<void> };

let running: Tracing | null = null;

/** Starts tracing for the process (once: a second server in the same process shares it). */
export function startTracing(settings: TracingSettings): Tracing {
  if (running) return running;
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? 'unknown',
    }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: settings.batchDelayMs }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer('threat-actor-intel-api');
  traceStatements(tracer);
  const started: Tracing = {
    tracer,
    graphqlPlugin: useOpenTelemetry(
      // Never the variables or the result: they hold what the caller was cleared to read, and traces are
      // read by operators with another clearance.
      { resolvers: settings.resolvers, defaultResolvers: false, variables: false, result: false, document: true },
      provider,
    ) as Plugin,
    async shutdown() {
      traceStatements(null);
      await provider.shutdown();
      trace.disable();
      context.disable();
      running = null;
    },
  };
  running = started;
  return started;
}
