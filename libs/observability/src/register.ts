// Entry file, loaded before the app: `node --import ./dist/libs/observability/src/register.js
// dist/apps/<app>/src/main.js`. Configuration is the standard OpenTelemetry environment
// (OTEL_SDK_DISABLED, OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER,
// OTEL_METRIC_EXPORT_INTERVAL, ...),
// which is why this one file reads process.env.
import { register } from 'node:module';
import { constants } from 'node:os';
import { register as registerInThread, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { instrumentedModules, startTracing, type Tracing } from './tracing.sdk.js';

const flushTimeoutMs = 5_000;

// On SIGTERM the app (Nest's shutdown hooks) may still be draining requests that make spans: while
// another listener exists, let it finish. Nest re-raises the signal when done; the last listener
// left flushes the spans and re-raises it too, so the process ends the way it would have without us.
function flushOnSignal(tracing: Tracing, signal: NodeJS.Signals): void {
  const onSignal = () => {
    if (process.listenerCount(signal) > 1) return;
    process.removeListener(signal, onSignal);
    const deadline = new Promise((resolve) => setTimeout(resolve, flushTimeoutMs).unref());
    void Promise.race([tracing.shutdown(), deadline])
      .catch(() => undefined)
      // As PID 1 (a container without an init) a re-raised signal would be ignored: exit instead.
      .finally(() =>
        process.pid === 1 ? process.exit(128 + constants.signals[signal]) : process.kill(process.pid, signal),
      );
  };
  process.on(signal, onSignal);
}

// The SDK applies OTEL_METRIC_EXPORT_* only to readers it builds itself; this one is built here, so
// that the exporter is OTLP/HTTP like the traces' and nothing is created without a collector.
function metricReader(): PeriodicExportingMetricReader | undefined {
  if (getStringFromEnv('OTEL_METRICS_EXPORTER') === 'none') return undefined;
  const exportIntervalMillis = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  return new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter(),
    exportIntervalMillis,
    // The reader refuses a timeout longer than the interval.
    exportTimeoutMillis: Math.min(
      getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000,
      exportIntervalMillis,
    ),
  });
}

if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true') {
  // ESM imports can only be patched through a loader hook, and `--import` of the hook file itself
  // does not install it (open-telemetry/opentelemetry-js#7034): register it here, for the
  // instrumented modules only, before the app's modules load. In-thread (module.registerHooks) where
  // Node supports it: the off-thread loader costs a second V8 isolate, about 60 MB per process.
  if (supportsSyncHooks()) registerInThread({ include: instrumentedModules });
  else
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: instrumentedModules },
    });
  // Export only where a collector is configured; the exporters read the other OTEL_EXPORTER_OTLP_* variables.
  const collector = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const tracing = startTracing({
    exporter: collector ? new OTLPTraceExporter() : undefined,
    metricReader: collector ? metricReader() : undefined,
  });
  flushOnSignal(tracing, 'SIGTERM');
  flushOnSignal(tracing, 'SIGINT');
}
