import { headers, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type StoredMsg,
} from '@nats-io/jetstream';
import { deadLetterSubject, streamNames } from './streams.js';

// What an operator does with the messages a consumer parked (architecture.md §3): look at them,
// then, once the cause is fixed, give them back to the consumers. Readiness counts them
// (counters.deadLetters); `npm run dead-letters` lists and replays them.

/** A parked message as an operator sees it: ids, subjects and the reason; never the payload. */
export type DeadLetter = {
  /** Its sequence in the dead-letter stream. */
  seq: number;
  consumer: string;
  /** The NATS subject it was published on. */
  subject: string;
  eventId: string | null;
  reason: string;
  parkedAt: string;
};

async function* parked(
  jsm: JetStreamManager,
  namespace?: string,
  durable?: string,
): AsyncGenerator<StoredMsg> {
  const stream = streamNames(namespace).deadLetter;
  const prefix = durable ? deadLetterSubject(durable, '', namespace) : null;
  const info = await jsm.streams.info(stream).catch((error: unknown) => {
    // No stream yet: no service has started in this namespace, so nothing was parked.
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return null;
    throw error;
  });
  if (!info || info.state.messages === 0) return;
  const { state } = info;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    // A sequence whose message was replayed (deleted) is a gap: nothing to read there.
    const message = await jsm.streams.getMessage(stream, { seq }).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return null;
      throw error;
    });
    if (message && (prefix === null || message.subject.startsWith(prefix))) yield message;
  }
}

/** The messages `durable` parked (every consumer's when absent), oldest first. */
export async function listDeadLetters(
  nats: NatsConnection,
  namespace?: string,
  durable?: string,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for await (const message of parked(await jetstreamManager(nats), namespace, durable)) {
    letters.push({
      seq: message.seq,
      consumer: message.header.get('Accanto-Consumer'),
      subject: message.header.get('Accanto-Original-Subject'),
      eventId: message.header.get('Accanto-Event-Id') || null,
      reason: message.header.get('Accanto-Dead-Letter-Reason'),
      parkedAt: message.time.toISOString(),
    });
  }
  return letters;
}

/**
 * Publishes each message `durable` parked again on its original subject, then removes it from the
 * dead-letter stream. Every consumer of the subject gets it again; those that applied it already
 * drop it in their inbox. No Nats-Msg-Id: JetStream would drop a replay within its duplicate window.
 * A message that fails again is parked again.
 */
export async function replayDeadLetters(
  nats: NatsConnection,
  durable: string,
  namespace?: string,
): Promise<{ replayed: number }> {
  const jsm = await jetstreamManager(nats);
  const js = jetstream(nats);
  const stream = streamNames(namespace).deadLetter;
  let replayed = 0;
  for await (const message of parked(jsm, namespace, durable)) {
    const h = headers();
    for (const key of ['traceparent', 'tracestate'])
      if (message.header.has(key)) h.set(key, message.header.get(key));
    await js.publish(message.header.get('Accanto-Original-Subject'), message.data, { headers: h });
    await jsm.streams.deleteMessage(stream, message.seq);
    replayed += 1;
  }
  return { replayed };
}
