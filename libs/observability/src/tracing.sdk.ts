import type { IncomingMessage } from 'node:http';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { RedactingSpanProcessor } from './span-redaction.processor.js';

/**
 * The modules the instrumentations below patch. The ESM loader hook wraps only these: wrapping
 * every module costs start-up time and breaks some packages. Keep it in step with `instrumentations()`.
 * (undici needs no hook: Node's fetch reports through diagnostics_channel.)
 */
export const instrumentedModules = ['http', 'https', 'pg', 'pg-pool'];

export type TracingOptions = {
  /** Where finished spans go; without one, spans still exist (trace ids in logs, context propagation) but stay in-process. */
  exporter?: SpanExporter;
  /**
   * Collects and exports metrics (http, pg, undici and libs/messaging's instruments). Without one no
   * meter provider is registered and every instrument stays a no-op.
   */
  metricReader?: MetricReader;
};

export type Tracing = { shutdown: () => Promise<void> };

// Probes hit every replica every few seconds: tracing them would bury real traffic.
function isHealthProbe(request: IncomingMessage): boolean {
  return /\/health\/(live|ready)$/.test((request.url ?? '').split('?')[0]);
}

function instrumentations() {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isHealthProbe }),
    new UndiciInstrumentation(),
    // Relay and consumer polling outside any request would otherwise produce a root trace per poll;
    // they open their own spans where the work matters. Query values are never recorded (no
    // enhancedDatabaseReporting): parameters carry personal data.
    new PgInstrumentation({ requireParentSpan: true }),
  ];
}

/** Starts the OpenTelemetry Node SDK: http, pg and undici instrumentations, W3C trace context. */
export function startTracing({ exporter, metricReader }: TracingOptions = {}): Tracing {
  const spanProcessors: SpanProcessor[] = [new RedactingSpanProcessor()];
  if (exporter) spanProcessors.push(new BatchSpanProcessor({ exporter }));
  const sdk = new NodeSDK({
    spanProcessors,
    // Trace context only: baggage from partners' front ends is caller-controlled data we would
    // otherwise forward to every downstream service.
    textMapPropagator: new W3CTraceContextPropagator(),
    // Explicit: left out, the SDK builds OTLP metric and log exporters from the environment, collector or not.
    metricReaders: metricReader ? [metricReader] : [],
    logRecordProcessors: [],
    instrumentations: instrumentations(),
  });
  sdk.start();
  return sdk;
}
