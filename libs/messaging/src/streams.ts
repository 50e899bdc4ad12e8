import {
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';

export type StreamNames = {
  /** The events stream: every `accanto.>` event of every service. */
  events: string;
  eventSubjects: string;
  /** Messages a consumer gave up on, with the reason in headers. */
  deadLetter: string;
  deadLetterSubjects: string;
};

export type StreamOptions = {
  /** 1 in development, 3 in production (architecture.md §3). */
  replicas?: number;
  /** JetStream drops a repeated Nats-Msg-Id within this window; consumers dedupe beyond it. */
  duplicateWindowMs?: number;
};

const namespacePattern = /^[a-z0-9][a-z0-9_-]*$/;

function prefix(namespace?: string): string {
  if (!namespace) return ''; // '' as well: an unset environment variable means no namespace
  if (!namespacePattern.test(namespace)) throw new Error(`invalid namespace "${namespace}"`);
  return `${namespace}.`;
}

// A namespace keeps test runs (or several systems on one NATS) from ever sharing a stream.
export function streamNames(namespace?: string): StreamNames {
  const p = prefix(namespace);
  const stream = namespace ? `${namespace.toUpperCase().replaceAll('-', '_')}_` : '';
  return {
    events: `${stream}ACCANTO`,
    eventSubjects: `${p}accanto.>`,
    deadLetter: `${stream}ACCANTO_DLQ`,
    deadLetterSubjects: `${p}accanto-dlq.>`,
  };
}

/** The NATS subject an event travels on: the optional namespace, then the catalog subject. */
export function natsSubject(subject: string, namespace?: string): string {
  return prefix(namespace) + subject;
}

/** Dead letters are filed by consumer, then by the event's own subject. */
export function deadLetterSubject(durable: string, subject: string, namespace?: string): string {
  return `${prefix(namespace)}accanto-dlq.${durable}.${subject}`;
}

/** Creates the streams, or brings an existing one to this configuration; safe on every start. */
export async function ensureStreams(
  jsm: JetStreamManager,
  namespace?: string,
  { replicas = 1, duplicateWindowMs = 120_000 }: StreamOptions = {},
): Promise<StreamNames> {
  const names = streamNames(namespace);
  const common = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    duplicate_window: nanos(duplicateWindowMs),
  };
  await ensureStream(jsm, { ...common, name: names.events, subjects: [names.eventSubjects] });
  await ensureStream(jsm, { ...common, name: names.deadLetter, subjects: [names.deadLetterSubjects] });
  return names;
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
      await jsm.streams.add(config);
      return;
    }
    throw error;
  }
  const { name, storage: _storage, retention: _retention, ...editable } = config;
  await jsm.streams.update(name, editable);
}

/** A service's NATS connection. It never gives up reconnecting: the outbox holds the events while NATS is away. */
export function connectNats(url: string | string[], name: string) {
  return connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
}
