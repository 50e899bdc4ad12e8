import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { MsgHdrs } from '@nats-io/transport-node';

// W3C explicitly, whatever the global propagator: the format on the bus is part of the contract.
const propagator = new W3CTraceContextPropagator();

export type TraceContext = { traceparent?: string; tracestate?: string };

/** The active span's context, stored with the event row so the trace survives the outbox. */
export function captureTraceContext(active: Context = context.active()): TraceContext {
  const carrier: TraceContext = {};
  propagator.inject(active, carrier, {
    set: (target, key, value) => void ((target as Record<string, string>)[key] = value),
  });
  return carrier;
}

export function setTraceHeaders(headers: MsgHdrs, trace: TraceContext | null | undefined): void {
  if (trace?.traceparent) headers.set('traceparent', trace.traceparent);
  if (trace?.tracestate) headers.set('tracestate', trace.tracestate);
}

/** The producer's context from a message's headers (ROOT when it carries none). */
export function contextFromHeaders(headers: MsgHdrs | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
    keys: (carrier) => carrier.keys(),
  });
}
