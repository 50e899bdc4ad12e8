import type { IncomingMessage } from 'node:http';
import { context, DiagConsoleLogger, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  diagLogLevelFromString,
  getNumberFromEnv,
  getStringFromEnv,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
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

/**
 * The sampler OTEL_TRACES_SAMPLER names (the specification's six), or undefined for the SDK's default
 * (parent-based, always on).
 */
export function samplerFromEnv(): Sampler | undefined {
  const ratio = () => {
    const value = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG') ?? 1;
    if (value < 0 || value > 1)
      throw new Error(`OTEL_TRACES_SAMPLER_ARG=${value} is not a ratio from 0 to 1`);
    return value;
  };
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  switch (name) {
    case undefined:
      return undefined;
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new Error(`OTEL_TRACES_SAMPLER=${name} is not a sampler this SDK knows`);
  }
}

/**
 * Starts OpenTelemetry: http, pg and undici instrumentations, W3C trace context, the resource from the
 * environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) and the host.
 *
 * Assembled from the SDK's parts rather than with @opentelemetry/sdk-node's NodeSDK, which loads every
 * exporter it could build from the environment (gRPC, protobuf, Zipkin, Prometheus, logs) and a
 * configuration-file validator: 28 packages we never call, and about 4 MB per process (ADR 0018).
 */
export function startTracing({ exporter, metricReader }: TracingOptions = {}): Tracing {
  const logLevel = getStringFromEnv('OTEL_LOG_LEVEL');
  if (logLevel) diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(logLevel) });
  const instrumented = instrumentations();
  registerInstrumentations({ instrumentations: instrumented });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Trace context only: baggage from partners' front ends is caller-controlled data we would
  // otherwise forward to every downstream service.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = defaultResource().merge(
    detectResources({
      detectors: [serviceInstanceIdDetector, processDetector, hostDetector, osDetector, envDetector],
    }),
  );
  // Without a reader no meter provider is registered: every instrument stays a no-op.
  const meterProvider = metricReader ? new MeterProvider({ resource, readers: [metricReader] }) : undefined;
  if (meterProvider) {
    metrics.setGlobalMeterProvider(meterProvider);
    for (const instrumentation of instrumented) instrumentation.setMeterProvider(meterProvider);
  }
  const spanProcessors: SpanProcessor[] = [new RedactingSpanProcessor()];
  if (exporter) spanProcessors.push(new BatchSpanProcessor({ exporter }));
  const tracerProvider = new TracerProvider({ resource, sampler: samplerFromEnv(), spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider?.shutdown()]);
    },
  };
}
