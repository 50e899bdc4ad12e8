import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { headers } from '@nats-io/transport-node';
import { captureTraceContext, contextFromHeaders, setTraceHeaders } from './trace-context.js';

describe('W3C trace context through the outbox row and NATS headers', () => {
  const spanContext = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  };

  it('captures the active span as traceparent and restores it as the parent on the other side', () => {
    const captured = captureTraceContext(trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(captured).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });

    const h = headers();
    setTraceHeaders(h, captured);
    expect(trace.getSpanContext(contextFromHeaders(h))).toEqual({ ...spanContext, isRemote: true });
  });

  it('captures nothing outside a span and restores the root context from bare headers', () => {
    expect(captureTraceContext(ROOT_CONTEXT)).toEqual({});
    expect(trace.getSpanContext(contextFromHeaders(headers()))).toBeUndefined();
    expect(contextFromHeaders(undefined)).toBe(ROOT_CONTEXT);
  });
});
