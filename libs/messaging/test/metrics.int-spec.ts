import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { metrics, type Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { subjectOf } from '#contracts';
import { eventually, uniqueName } from '#testing';
import { canonicalJson } from '../src/chain.js';
import { startConsumer, type RunningConsumer } from '../src/consumer.js';
import { Relay } from '../src/relay.js';
import { ensureStreams, natsSubject } from '../src/streams.js';
import {
  append,
  createMessagingDatabase,
  deleteStreams,
  openOrm,
  personRegistered,
  type TestDatabase,
} from './fixtures.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

class PoisonError extends Error {
  override name = 'PoisonError';
}

type Point = { attributes: Attributes; value: number | Histogram };

describe('messaging metrics', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let namespace: string;
  let exporter: InMemoryMetricExporter;
  let reader: PeriodicExportingMetricReader;
  let provider: MeterProvider;
  const relays: Relay[] = [];
  const consumers: RunningConsumer[] = [];

  // What a collection reports now, point by point, for one metric (or all).
  async function points(name?: string): Promise<Point[]> {
    await reader.forceFlush();
    const latest = exporter.getMetrics().at(-1);
    exporter.reset();
    return (latest?.scopeMetrics ?? [])
      .flatMap((scope) => scope.metrics)
      .filter((metric) => name === undefined || metric.descriptor.name === name)
      .flatMap((metric) =>
        (metric.dataPoints as Point[]).map(({ attributes, value }) => ({ attributes, value })),
      );
  }

  const relay = (options: { backoff?: { initialMs: number; maxMs: number } } = {}) => {
    const started = new Relay({ databaseUrl: db.relayUrl, nats, namespace, logger: quiet, ...options });
    relays.push(started);
    started.start();
    return started;
  };

  beforeEach(async () => {
    // The SDK as register.ts starts it, with a reader the test collects from instead of a periodic export.
    exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    db = await createMessagingDatabase();
    orm = await openOrm(db.appUrl);
    nats = await connect({ servers: process.env.NATS_URL });
    jsm = await jetstreamManager(nats);
    namespace = uniqueName('m');
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
    await Promise.all(relays.splice(0).map((started) => started.stop()));
    await deleteStreams(nats, namespace);
    await nats.close();
    await orm.close();
    await db.drop();
    await provider.shutdown();
    metrics.disable();
  });

  it('counts every delivery once, by how it ended, under its durable and subject, and nothing personal', async () => {
    await ensureStreams(jsm, namespace);
    relay();
    const first = personRegistered();
    const poison = personRegistered();
    const consumer = await startConsumer({
      nats,
      namespace,
      orm,
      durable: 'projector',
      filterSubject: 'accanto.people.>',
      maxDeliver: 2,
      retryDelayMs: 10,
      handlers: {
        'accanto.people.person-registered.v1': async (event) => {
          if (event.payload.personId === poison.payload.personId) throw new PoisonError('no such area');
        },
      },
      logger: quiet,
    });
    consumers.push(consumer);
    const [good, parked] = await append(orm, [first, poison]);

    const outcomes = async () =>
      Object.fromEntries(
        (await points('messaging.client.consumed.messages')).map((point) => [
          point.attributes['accanto.outcome'],
          point.value,
        ]),
      );
    await eventually(async () => expect(await outcomes()).toEqual({ applied: 1, retried: 1, parked: 1 }));
    // The same event again after JetStream's duplicate window (no Nats-Msg-Id): the inbox drops it.
    await jetstream(nats).publish(natsSubject(subjectOf(good), namespace), canonicalJson(good));
    await eventually(async () =>
      expect(await outcomes()).toEqual({ applied: 1, duplicate: 1, retried: 1, parked: 1 }),
    );
    expect(consumer.deadLettered()).toBe(1);

    const consumed = await points('messaging.client.consumed.messages');
    const common = {
      'messaging.system': 'nats',
      'messaging.operation.name': 'process',
      'messaging.consumer.group.name': 'projector',
      'messaging.destination.name': natsSubject('accanto.people.person-registered.v1', namespace),
    };
    expect(consumed.map((point) => point.attributes)).toEqual(
      expect.arrayContaining([
        { ...common, 'accanto.outcome': 'applied' },
        { ...common, 'accanto.outcome': 'duplicate' },
        { ...common, 'accanto.outcome': 'retried', 'error.type': 'PoisonError' },
        { ...common, 'accanto.outcome': 'parked', 'error.type': 'PoisonError' },
      ]),
    );
    const durations = await points('messaging.process.duration');
    expect(durations.map((point) => (point.value as Histogram).count)).toEqual([1, 1, 1, 1]);
    expect(await points('messaging.client.sent.messages')).toEqual([
      { attributes: { 'messaging.system': 'nats', 'messaging.operation.name': 'publish' }, value: 2 },
    ]);

    // No id, organisation, actor or error message in any attribute of any metric.
    const everything = JSON.stringify(await points());
    expect(everything).toContain('PoisonError');
    for (const secret of [
      good.id,
      parked.id,
      first.payload.personId,
      poison.payload.personId,
      'cri-milano',
      'u-1',
      'no such area',
    ])
      expect(everything).not.toContain(secret);
  });

  it('reports how long the oldest event has waited while JetStream refuses it, and 0 once it is published', async () => {
    // No stream yet for this namespace: every publish is refused.
    relay({ backoff: { initialMs: 10, maxMs: 50 } });
    await append(orm, [personRegistered()]);
    const lag = async () => (await points('accanto.relay.lag'))[0]?.value;
    await eventually(async () => expect(await lag()).toBeGreaterThan(0));
    const [failed] = await eventually(async () => {
      const sent = await points('messaging.client.sent.messages');
      expect(sent).toHaveLength(1);
      return sent;
    });
    expect(failed.attributes).toEqual({
      'messaging.system': 'nats',
      'messaging.operation.name': 'publish',
      // The error's class name (NATS's for "no stream answers"), never its message.
      'error.type': 'JetStreamNotEnabled',
    });

    await ensureStreams(jsm, namespace);
    await eventually(async () => {
      expect(await lag()).toBe(0);
      expect(
        (await points('messaging.client.sent.messages')).map((point) => point.attributes),
      ).toContainEqual({ 'messaging.system': 'nats', 'messaging.operation.name': 'publish' });
    });
  });
});
