import { Logger } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { parseEnvelope, subjectOf, type EventEnvelope, type EventSubject } from '#contracts';
import { nativeQuery } from '#persistence';
import type { MessagingLogger } from './relay.js';
import { deadLetterSubject, natsSubject, streamNames } from './streams.js';
import { contextFromHeaders } from './trace-context.js';

export type EventHandlers = {
  [S in EventSubject]?: (event: EventEnvelope<S>, em: EntityManager) => Promise<void>;
};

export type ConsumerOptions = {
  nats: NatsConnection;
  namespace?: string;
  orm: MikroORM;
  /** Durable consumer name, also the inbox's `consumer` column. */
  durable: string;
  /** A catalog subject or wildcard, e.g. `accanto.people.>` (namespace added here). */
  filterSubject: string;
  handlers: EventHandlers;
  /** Deliveries before a failing message is parked in the dead-letter stream. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** First redelivery delay after a failure; doubles each time, capped at a minute. */
  retryDelayMs?: number;
  /** Messages already received that are applied in one transaction (one commit for a burst). */
  maxBatch?: number;
  logger?: MessagingLogger;
};

export type RunningConsumer = {
  /** Messages this consumer parked in the dead-letter stream since it started. */
  deadLettered(): number;
  /** Stops pulling, finishes what was already received, then returns. */
  stop(): Promise<void>;
};

type Outcome = 'applied' | 'duplicate' | 'no-handler';
type Delivery = { msg: JsMsg; event: EventEnvelope };

const tracer = trace.getTracer('accanto-messaging');

// OpenTelemetry's advice for durations in seconds; the SDK's default buckets are for milliseconds.
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

// Made per consumer, not per module: the metrics API has no proxy, so a meter taken before the SDK
// registered its provider would stay a no-op.
function consumerInstruments() {
  const meter = metrics.getMeter('accanto-messaging');
  return {
    consumed: meter.createCounter('messaging.client.consumed.messages', {
      description: 'Deliveries to a durable consumer, by how each ended (accanto.outcome).',
      unit: '{message}',
    }),
    duration: meter.createHistogram('messaging.process.duration', {
      description: 'From the start of handling a delivery to its ack, retry or park.',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBuckets },
    }),
  };
}

/** A durable pull consumer: parse, tenant + forked EntityManager + span, inbox, handler, ack. */
export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const {
    nats,
    namespace,
    orm,
    durable,
    handlers,
    maxDeliver = 5,
    ackWaitMs = 30_000,
    retryDelayMs = 1000,
    maxBatch = 50,
  } = options;
  const logger = options.logger ?? new Logger(`Consumer ${durable}`);
  const stream = streamNames(namespace).events;
  const jsm = await jetstreamManager(nats);
  const js = jetstream(nats);
  await ensureConsumer(jsm, stream, {
    durable_name: durable,
    filter_subject: natsSubject(options.filterSubject, namespace),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    // Unlimited on the server: this code decides when to park a message, and a park that fails
    // must be retried, not silently dropped by the server's own limit.
    max_deliver: -1,
  });
  const messages = await (await js.consumers.get(stream, durable)).consume();
  let deadLettered = 0;
  const instruments = consumerInstruments();

  // Every delivery is counted once, when it ends. Attributes are a small, bounded set and carry nothing
  // personal: the durable, the catalog subject, the error's class name; never the organisation, an id
  // or an error message.
  function count(
    outcome: Outcome | 'retried' | 'parked',
    event: EventEnvelope | null,
    startedAt: number,
    error?: unknown,
  ): void {
    const attributes: Attributes = {
      'messaging.system': 'nats',
      'messaging.operation.name': 'process',
      'messaging.consumer.group.name': durable,
      'accanto.outcome': outcome,
    };
    if (event) attributes['messaging.destination.name'] = natsSubject(subjectOf(event), namespace);
    if (error !== undefined) attributes['error.type'] = error instanceof Error ? error.name : 'Error';
    instruments.consumed.add(1, attributes);
    instruments.duration.record((performance.now() - startedAt) / 1000, attributes);
  }

  const retryDelay = (deliveries: number) => Math.min(retryDelayMs * 2 ** (deliveries - 1), 60_000);

  /** True when parked; false when it could not be, and will be delivered again. */
  async function park(msg: JsMsg, reason: string, event: EventEnvelope | null): Promise<boolean> {
    const eventId = event?.id ?? null;
    const h = headers();
    h.set('Accanto-Dead-Letter-Reason', oneLine(reason));
    h.set('Accanto-Consumer', durable);
    h.set('Accanto-Original-Subject', msg.subject);
    if (eventId) h.set('Accanto-Event-Id', eventId);
    for (const key of ['traceparent', 'tracestate'])
      if (msg.headers?.has(key)) h.set(key, msg.headers.get(key));
    const subject = deadLetterSubject(durable, event ? subjectOf(event) : 'unparseable', namespace);
    try {
      await js.publish(subject, msg.data, { headers: h, msgID: `${durable}:${eventId ?? `seq-${msg.seq}`}` });
      msg.term(); // no reason argument: servers before 2.11 ignore "+TERM <reason>" and redeliver
      deadLettered += 1;
      logger.warn(
        `parked ${eventId ?? `message ${msg.seq}`} after ${msg.info.deliveryCount} deliveries: ${reason}`,
      );
      return true;
    } catch (error) {
      logger.error(`could not park ${eventId ?? msg.seq}: ${String(error)}`);
      msg.nak(retryDelay(msg.info.deliveryCount));
      return false;
    }
  }

  /** The inbox row and the handler, in the caller's transaction, under the event's organisation. */
  async function applyIn(em: EntityManager, event: EventEnvelope): Promise<Outcome> {
    const handler = handlers[subjectOf(event) as EventSubject] as
      ((event: EventEnvelope, em: EntityManager) => Promise<void>) | undefined;
    if (!handler) return 'no-handler';
    // The tenant comes from the message, never from ambient state (row-level security keys on it).
    // Set in the inbox insert's own statement: one round trip fewer before the handler runs, and
    // on two shared cores each round trip is a chance to wait for the CPU (bench/README.md).
    const { numAffectedRows } = await nativeQuery(
      em,
      `insert into inbox (consumer, event_id)
       select $1, $2 where set_config('accanto.organisation', $3, true) is not null
       on conflict do nothing`,
      [durable, event.id, event.organisation],
    );
    if (numAffectedRows === 0n) return 'duplicate';
    await handler(event, em);
    // Written now, under this event's organisation: the next event of a batch sets its own. And
    // nothing it loaded is seen by the next handler.
    await em.flush();
    em.clear();
    return 'applied';
  }

  function startSpan(msg: JsMsg, event: EventEnvelope): Span {
    return tracer.startSpan(
      `${durable} ${subjectOf(event)}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': durable,
          'messaging.message.id': event.id,
          'accanto.organisation': event.organisation,
          'accanto.delivery_count': msg.info.deliveryCount,
        },
      },
      contextFromHeaders(msg.headers),
    );
  }

  async function retryOrPark({ msg, event }: Delivery, error: unknown, startedAt: number): Promise<void> {
    let outcome: 'retried' | 'parked' = 'retried';
    if (msg.info.deliveryCount < maxDeliver) msg.nak(retryDelay(msg.info.deliveryCount));
    else if (await park(msg, `handler failed: ${String(error)}`, event)) outcome = 'parked';
    count(outcome, event, startedAt, error);
  }

  /**
   * Applies deliveries in order in one transaction and acknowledges them once it commits: a burst
   * (a night's upload, a replay) costs one commit, not one per event. When a handler fails, the
   * transaction is rolled back: the deliveries before it are applied again in a transaction of their
   * own, the failed one is retried later or parked as if it had come alone, and those after it go on.
   */
  async function applyInOrder(deliveries: Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const spans: Span[] = [];
    const started: number[] = [];
    const outcomes: Outcome[] = [];
    // The handler that threw, or -1 when the transaction failed as a whole (its commit).
    let failed = -1;
    try {
      await orm.em.fork().transactional(async (em) => {
        for (const [index, { msg, event }] of deliveries.entries()) {
          failed = index;
          const span = startSpan(msg, event);
          spans.push(span);
          started.push(performance.now());
          // The handler runs inside the span, so its queries and any events it records join the trace.
          outcomes.push(await context.with(trace.setSpan(context.active(), span), () => applyIn(em, event)));
        }
        failed = -1;
      });
    } catch (error) {
      const failures = failed === -1 ? deliveries.map((_, index) => index) : [failed];
      for (const index of failures) {
        spans[index]?.recordException(error as Error);
        spans[index]?.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      }
      spans.forEach((span, index) => {
        if (!failures.includes(index)) span.setAttribute('accanto.outcome', 'rolled-back');
        span.end();
      });
      if (failed === -1) {
        for (const [index, delivery] of deliveries.entries())
          await retryOrPark(delivery, error, started[index]);
        return;
      }
      await applyInOrder(deliveries.slice(0, failed));
      await retryOrPark(deliveries[failed], error, started[failed]);
      return applyInOrder(deliveries.slice(failed + 1));
    }
    deliveries.forEach(({ msg, event }, index) => {
      spans[index].setAttribute('accanto.outcome', outcomes[index]);
      spans[index].end();
      msg.ack();
      count(outcomes[index], event, started[index]);
    });
  }

  /** The messages as envelopes; one that is not an envelope is parked at once. */
  async function parse(received: JsMsg[]): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const msg of received) {
      const startedAt = performance.now();
      try {
        deliveries.push({ msg, event: parseEnvelope(msg.json()) });
      } catch (error) {
        const parked = await park(
          msg,
          `unparseable: ${error instanceof Error ? error.message : String(error)}`,
          null,
        );
        count(parked ? 'parked' : 'retried', null, startedAt, error);
      }
    }
    return deliveries;
  }

  // What has already arrived behind a message joins it, and nothing is waited for: a message is
  // ready when the iterator yields it before the event loop turns to I/O (setImmediate). The
  // iterator's getPending() cannot tell: it counts status messages it has already handled.
  const iterator = messages[Symbol.asyncIterator]();
  let waiting: Promise<IteratorResult<JsMsg>> | null = null;
  const next = () => {
    const result = waiting ?? iterator.next();
    waiting = null;
    return result;
  };
  const notReady = Symbol('not ready');
  const ready = <T>(promise: Promise<T>) =>
    Promise.race([promise, new Promise<typeof notReady>((resolve) => setImmediate(resolve, notReady))]);

  const loop = (async () => {
    let done = false;
    while (!done) {
      const first = await next();
      if (first.done) break;
      const received = [first.value];
      while (received.length < maxBatch) {
        const candidate = next();
        const more = await ready(candidate);
        if (more === notReady) {
          waiting = candidate;
          // Awaited on the next round; until then a failure of the iterator must not go unhandled.
          candidate.catch(() => undefined);
          break;
        }
        if (more.done) {
          done = true;
          break;
        }
        received.push(more.value);
      }
      try {
        await applyInOrder(await parse(received));
      } catch (error) {
        // Only ack/nak can throw here (connection closed): what was not acknowledged is redelivered
        // after ack_wait, and the inbox drops what was already applied.
        logger.error(`messages ${received[0].seq} to ${received.at(-1)!.seq}: ${String(error)}`);
      }
    }
  })();

  return {
    deadLettered: () => deadLettered,
    async stop() {
      await messages.close();
      await loop.catch(() => undefined);
    },
  };
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
) {
  try {
    await jsm.consumers.info(stream, config.durable_name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) {
      await jsm.consumers.add(stream, config);
      return;
    }
    throw error;
  }
  const { ack_wait, max_deliver } = config;
  await jsm.consumers.update(stream, config.durable_name, { ack_wait, max_deliver });
}

/** Header values cannot span lines. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 1000);
}

/** Messages in the dead-letter stream (for one consumer when `durable` is given): for health checks. */
export async function deadLetterCount(
  nats: NatsConnection,
  namespace?: string,
  durable?: string,
): Promise<number> {
  const jsm = await jetstreamManager(nats);
  const name = streamNames(namespace).deadLetter;
  if (!durable) return (await jsm.streams.info(name)).state.messages;
  const filter = deadLetterSubject(durable, '>', namespace);
  const info = await jsm.streams.info(name, { subjects_filter: filter });
  return Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
}
