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
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
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
  logger?: MessagingLogger;
};

export type RunningConsumer = {
  /** Messages this consumer parked in the dead-letter stream since it started. */
  deadLettered(): number;
  /** Stops pulling, finishes what was already received, then returns. */
  stop(): Promise<void>;
};

type Outcome = 'applied' | 'duplicate' | 'no-handler';

const tracer = trace.getTracer('accanto-messaging');

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

  const retryDelay = (deliveries: number) => Math.min(retryDelayMs * 2 ** (deliveries - 1), 60_000);

  async function park(msg: JsMsg, reason: string, event: EventEnvelope | null): Promise<void> {
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
    } catch (error) {
      logger.error(`could not park ${eventId ?? msg.seq}: ${String(error)}`);
      msg.nak(retryDelay(msg.info.deliveryCount));
    }
  }

  async function apply(event: EventEnvelope): Promise<Outcome> {
    const handler = handlers[subjectOf(event) as EventSubject] as
      ((event: EventEnvelope, em: EntityManager) => Promise<void>) | undefined;
    if (!handler) return 'no-handler';
    return orm.em.fork().transactional(async (em) => {
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
      return 'applied';
    });
  }

  async function handle(msg: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEnvelope(msg.json());
    } catch (error) {
      return park(msg, `unparseable: ${error instanceof Error ? error.message : String(error)}`, null);
    }
    const span = tracer.startSpan(
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
    try {
      // The handler runs inside the span, so its queries and any events it records join the trace.
      const outcome = await context.with(trace.setSpan(context.active(), span), () => apply(event));
      span.setAttribute('accanto.outcome', outcome);
      msg.ack();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      if (msg.info.deliveryCount >= maxDeliver) await park(msg, `handler failed: ${String(error)}`, event);
      else msg.nak(retryDelay(msg.info.deliveryCount));
    } finally {
      span.end();
    }
  }

  const loop = (async () => {
    for await (const msg of messages) {
      try {
        await handle(msg);
      } catch (error) {
        // Only ack/nak can throw here (connection closed): the message is redelivered after ack_wait.
        logger.error(`message ${msg.seq}: ${String(error)}`);
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
