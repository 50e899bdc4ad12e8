import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseEnvelope, subjectOf, type EventEnvelope } from '#contracts';
import { eventually, uniqueName } from '#testing';
import { canonicalJson } from '../src/chain.js';
import {
  deadLetterCount,
  startConsumer,
  type ConsumerOptions,
  type RunningConsumer,
} from '../src/consumer.js';
import { listDeadLetters, replayDeadLetters } from '../src/dead-letters.js';
import { Relay } from '../src/relay.js';
import { ensureStreams, natsSubject, type StreamNames } from '../src/streams.js';
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

describe('consumer', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let namespace: string;
  let streams: StreamNames;
  let relay: Relay;
  const consumers: RunningConsumer[] = [];

  // The handlers' side effect: one row per application, so applying twice shows.
  async function record(event: EventEnvelope, em: EntityManager): Promise<void> {
    await em.execute(
      `insert into applied (event_id, organisation) values (?, current_setting('accanto.organisation', true))`,
      [event.id],
    );
  }

  const applied = async () =>
    (await db.admin.query('select event_id, organisation from applied order by event_id')).rows as Array<{
      event_id: string;
      organisation: string;
    }>;

  async function consumer(options: Partial<ConsumerOptions> = {}): Promise<RunningConsumer> {
    const started = await startConsumer({
      nats,
      namespace,
      orm,
      durable: 'projector',
      filterSubject: 'accanto.people.>',
      handlers: { 'accanto.people.person-registered.v1': record },
      logger: quiet,
      ...options,
    });
    consumers.push(started);
    return started;
  }

  const settled = (durable = 'projector') =>
    eventually(async () => {
      const info = await jsm.consumers.info(streams.events, durable);
      expect({ pending: info.num_pending, unacknowledged: info.num_ack_pending }).toEqual({
        pending: 0,
        unacknowledged: 0,
      });
      return info;
    });

  beforeEach(async () => {
    db = await createMessagingDatabase();
    // The order and the transaction of each application, so batching and its limits show.
    await db.admin.query(
      `create table applied (event_id uuid not null, organisation text,
         seq bigint generated always as identity, transaction_id xid8 not null default pg_current_xact_id())`,
    );
    await db.admin.query(`grant select, insert on applied to "${db.roles.app}"`);
    orm = await openOrm(db.appUrl);
    nats = await connect({ servers: process.env.NATS_URL });
    jsm = await jetstreamManager(nats);
    namespace = uniqueName('c');
    streams = await ensureStreams(jsm, namespace);
    relay = new Relay({ databaseUrl: db.relayUrl, nats, namespace, logger: quiet });
    relay.start();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await relay.stop();
    await deleteStreams(nats, namespace);
    await nats.close();
    await orm.close();
    await db.drop();
  });

  it('applies each event once, in a transaction for the event organisation; the inbox drops repeats', async () => {
    await consumer();
    const events = await append(orm, [
      personRegistered(),
      personRegistered({ organisation: 'caritas-ambrosiana' }),
      // No handler for this one: acknowledged and skipped.
      {
        ...personRegistered(),
        subject: 'accanto.people.person-viewed.v1',
        payload: { personId: crypto.randomUUID(), basis: 'hub', consentId: null },
      },
    ]);
    const expected = events
      .slice(0, 2)
      .map((e) => ({ event_id: e.id, organisation: e.organisation }))
      .sort((a, b) => a.event_id.localeCompare(b.event_id));
    await eventually(async () => expect(await applied()).toEqual(expected));
    await settled();

    // The same event again after JetStream's duplicate window (no Nats-Msg-Id dedup): the inbox skips it.
    await jetstream(nats).publish(natsSubject(subjectOf(events[0]), namespace), canonicalJson(events[0]));
    expect(await streamMessages(jsm, streams.events)).toHaveLength(4);
    await eventually(async () => expect((await settled()).delivered.stream_seq).toBe(4));
    expect(await applied()).toEqual(expected);
    const inbox = await db.admin.query('select consumer, event_id from inbox order by event_id');
    expect(inbox.rows).toEqual(expected.map((row) => ({ consumer: 'projector', event_id: row.event_id })));
  });

  it('applies a backlog in few transactions, in order, each event under its own organisation', async () => {
    const events = await append(
      orm,
      Array.from({ length: 30 }, (_, i) =>
        personRegistered(i % 3 === 0 ? { organisation: 'caritas-ambrosiana' } : {}),
      ),
    );
    // Published before anyone follows: the consumer finds them waiting.
    await eventually(async () => expect(await streamMessages(jsm, streams.events)).toHaveLength(30));
    await consumer();
    await eventually(async () => expect(await applied()).toHaveLength(30));
    const { rows } = await db.admin.query(
      'select event_id, organisation, transaction_id::text as transaction_id from applied order by seq',
    );
    expect(rows.map((row) => [row.event_id, row.organisation])).toEqual(
      events.map((e) => [e.id, e.organisation]),
    );
    expect(new Set(rows.map((row) => row.transaction_id)).size).toBeLessThan(30);
    await settled();
  });

  it('given a failing event in a backlog, then the others are applied once and in order, and it alone is retried, then parked', async () => {
    const poison = personRegistered();
    const events = await append(orm, [
      personRegistered(),
      personRegistered({ organisation: 'caritas-ambrosiana' }),
      poison,
      personRegistered(),
      personRegistered(),
    ]);
    await eventually(async () => expect(await streamMessages(jsm, streams.events)).toHaveLength(5));
    let attempts = 0;
    const running = await consumer({
      maxDeliver: 2,
      retryDelayMs: 50,
      handlers: {
        'accanto.people.person-registered.v1': async (event, em) => {
          await record(event, em);
          if (event.payload.personId === poison.payload.personId) {
            attempts += 1;
            throw new Error('refused');
          }
        },
      },
    });
    const others = events.filter((e) => e.id !== events[2].id);
    await eventually(async () => expect(running.deadLettered()).toBe(1));
    await settled();
    const { rows } = await db.admin.query('select event_id, organisation from applied order by seq');
    expect(rows).toEqual(others.map((e) => ({ event_id: e.id, organisation: e.organisation })));
    expect(attempts).toBe(2);
  });

  it('loses nothing and applies nothing twice when a consumer dies between commit and ack', async () => {
    const own = await connect({ servers: process.env.NATS_URL });
    let handled = 0;
    await consumer({
      nats: own,
      ackWaitMs: 1000,
      handlers: {
        'accanto.people.person-registered.v1': async (event, em) => {
          await record(event, em);
          // Killed mid-batch: this transaction commits, its ack never leaves.
          if (++handled === 3) await own.close();
        },
      },
    });
    const events = await append(
      orm,
      Array.from({ length: 10 }, () => personRegistered()),
    );
    await eventually(() => expect(own.isClosed()).toBe(true));

    // A replica (or the restarted process) picks up the same durable consumer.
    await consumer({ ackWaitMs: 1000 });
    await eventually(async () => expect(await applied()).toHaveLength(10));
    const info = await settled();
    // More deliveries than messages: what the dead consumer had taken came again, and was not re-applied.
    expect(info.delivered.consumer_seq).toBeGreaterThan(10);
    expect((await applied()).map((row) => row.event_id).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('parks a message that keeps failing after maxDeliver tries, with the reason, without blocking the next', async () => {
    const poison = personRegistered();
    let attempts = 0;
    const running = await consumer({
      maxDeliver: 3,
      retryDelayMs: 50,
      handlers: {
        'accanto.people.person-registered.v1': async (event, em) => {
          if (event.payload.personId === poison.payload.personId) {
            attempts += 1;
            throw new Error('area stazione-centrale\nis unknown');
          }
          await record(event, em);
        },
      },
    });
    const [parked, ...next] = await append(orm, [poison, personRegistered(), personRegistered()]);

    await eventually(async () =>
      expect((await applied()).map((row) => row.event_id).sort()).toEqual(next.map((e) => e.id).sort()),
    );
    const [letter] = await eventually(async () => {
      const letters = await streamMessages(jsm, streams.deadLetter);
      expect(letters).toHaveLength(1);
      return letters;
    });
    expect(parseEnvelope(letter.json()).id).toBe(parked.id);
    expect(letter.subject).toBe(`${namespace}.accanto-dlq.projector.accanto.people.person-registered.v1`);
    expect(letter.header.get('Accanto-Dead-Letter-Reason')).toBe(
      'handler failed: Error: area stazione-centrale is unknown',
    );
    expect(letter.header.get('Accanto-Consumer')).toBe('projector');
    expect(letter.header.get('Accanto-Original-Subject')).toBe(natsSubject(subjectOf(parked), namespace));
    expect(letter.header.get('Accanto-Event-Id')).toBe(parked.id);
    expect(attempts).toBe(3);
    expect(running.deadLettered()).toBe(1);
    expect(await deadLetterCount(nats, namespace)).toBe(1);
    expect(await deadLetterCount(nats, namespace, 'projector')).toBe(1);
    expect(await deadLetterCount(nats, namespace, 'someone-else')).toBe(0);
    await settled();
  });

  it('given a parked message, an operator lists it with its reason and, once the cause is fixed, replays it: applied once, nothing left parked', async () => {
    let broken = true;
    await consumer({
      maxDeliver: 1,
      handlers: {
        'accanto.people.person-registered.v1': async (event, em) => {
          if (broken) throw new Error('the area list is not loaded yet');
          await record(event, em);
        },
      },
    });
    const [event] = await append(orm, [personRegistered()]);
    const [letter] = await eventually(async () => {
      const letters = await listDeadLetters(nats, namespace, 'projector');
      expect(letters).toHaveLength(1);
      return letters;
    });
    expect(letter).toMatchObject({
      consumer: 'projector',
      subject: natsSubject(subjectOf(event), namespace),
      eventId: event.id,
      reason: 'handler failed: Error: the area list is not loaded yet',
    });
    expect(await listDeadLetters(nats, namespace, 'someone-else')).toEqual([]);
    await settled();

    broken = false;
    expect(await replayDeadLetters(nats, 'projector', namespace)).toEqual({ replayed: 1 });
    await eventually(async () => expect((await applied()).map((row) => row.event_id)).toEqual([event.id]));
    expect(await listDeadLetters(nats, namespace)).toEqual([]);
    expect(await deadLetterCount(nats, namespace, 'projector')).toBe(0);
    await settled();
    expect(await applied()).toHaveLength(1);
  });

  it('parks a message it cannot parse straight away', async () => {
    let calls = 0;
    const running = await consumer({
      handlers: { 'accanto.people.person-registered.v1': async () => void (calls += 1) },
    });
    await jetstream(nats).publish(
      natsSubject('accanto.people.person-registered.v1', namespace),
      JSON.stringify({ type: 'people.person-registered', version: 1, payload: { givenName: 'Mario' } }),
    );
    const [letter] = await eventually(async () => {
      const letters = await streamMessages(jsm, streams.deadLetter);
      expect(letters).toHaveLength(1);
      return letters;
    });
    expect(letter.subject).toBe(`${namespace}.accanto-dlq.projector.unparseable`);
    expect(letter.header.get('Accanto-Dead-Letter-Reason')).toMatch(/^unparseable: /);
    expect(running.deadLettered()).toBe(1);
    expect(calls).toBe(0);
    await settled();
  });
});
