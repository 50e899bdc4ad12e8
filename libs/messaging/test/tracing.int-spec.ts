import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { context, SpanKind, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { eventually, uniqueName } from '#testing';
import { startConsumer, type RunningConsumer } from '../src/consumer.js';
import { Relay } from '../src/relay.js';
import { ensureStreams, streamNames } from '../src/streams.js';
import {
  append,
  createMessagingDatabase,
  deleteStreams,
  openOrm,
  personRegistered,
  streamMessages,
  type TestDatabase,
} from './fixtures.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('trace context across the outbox and the bus', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let db: TestDatabase;
  let orm: MikroORM;
  let nats: NatsConnection;
  let namespace: string;
  let relay: Relay;
  let consumer: RunningConsumer;

  beforeAll(() => {
    // What the observability lib does at start: a tracer provider and async context propagation.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });

  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  beforeEach(async () => {
    db = await createMessagingDatabase();
    orm = await openOrm(db.appUrl);
    nats = await connect({ servers: process.env.NATS_URL });
    namespace = uniqueName('s');
    await ensureStreams(await jetstreamManager(nats), namespace);
    relay = new Relay({ databaseUrl: db.relayUrl, nats, namespace, logger: quiet });
    relay.start();
  });

  afterEach(async () => {
    await consumer?.stop();
    await relay.stop();
    await deleteStreams(nats, namespace);
    await nats.close();
    await orm.close();
    await db.drop();
  });

  it('continues the trace of the request that recorded the event in the consumer span', async () => {
    let handledIn: SpanContext | undefined;
    consumer = await startConsumer({
      nats,
      namespace,
      orm,
      durable: 'projector',
      filterSubject: 'accanto.people.>',
      handlers: {
        'accanto.people.person-registered.v1': async () =>
          void (handledIn = trace.getActiveSpan()?.spanContext()),
      },
      logger: quiet,
    });

    const request = await trace.getTracer('test').startActiveSpan('POST /people', async (span) => {
      await append(orm, [personRegistered()]);
      span.end();
      return span.spanContext();
    });

    const [message] = await eventually(async () => {
      const messages = await streamMessages(await jetstreamManager(nats), streamNames(namespace).events);
      expect(messages).toHaveLength(1);
      return messages;
    });
    expect(message.header.get('traceparent')).toBe(`00-${request.traceId}-${request.spanId}-01`);

    const span = await eventually(() => {
      const found = exporter
        .getFinishedSpans()
        .find((s) => s.name === 'projector accanto.people.person-registered.v1');
      expect(found).toBeDefined();
      return found!;
    });
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(request.traceId);
    expect(span.parentSpanContext?.spanId).toBe(request.spanId);
    expect(span.attributes['accanto.outcome']).toBe('applied');
    // The handler ran inside the consumer span.
    expect(handledIn).toEqual(span.spanContext());
  });
});
