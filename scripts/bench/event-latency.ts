import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { messagingMigrationSql, natsSubject, startConsumer, streamNames } from '#messaging';
import { openLoop, type Target } from './load.js';

/**
 * Registrations at a fixed rate while a durable consumer (startConsumer, its own database with the
 * messaging tables) follows person-registered events. Per event, on this process's monotonic clock:
 * when the HTTP response arrived (the transaction has committed by then), when the message reached
 * NATS (a plain subscription on the subject), and when the consumer's handler was entered (inside
 * its transaction, after the inbox insert).
 */
export async function eventLatency(options: {
  nats: NatsConnection;
  jsm: JetStreamManager;
  consumerDb: string;
  namespace: string;
  target: Target;
  rate: number;
  seconds: number;
  cleanup: Array<() => Promise<unknown>>;
}) {
  const { nats, jsm, consumerDb, namespace, cleanup } = options;
  const setup = new pg.Client({ connectionString: consumerDb });
  await setup.connect();
  await setup.query(messagingMigrationSql({ app: 'postgres', relay: 'postgres' }));
  await setup.end();
  const orm = await MikroORM.init({
    clientUrl: consumerDb,
    entities: [],
    discovery: { warnWhenNoEntities: false },
  });
  cleanup.push(() => orm.close());
  // Created here with DeliverPolicy.New (startConsumer keeps an existing durable) so that it
  // follows this phase only, not the backlog of the throughput runs.
  await jsm.consumers.add(streamNames(namespace).events, {
    durable_name: 'bench-follower',
    filter_subject: natsSubject('accanto.people.>', namespace),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
  });
  // Keyed by person id, filled in whatever order things happen: the message can beat the response.
  const responded = new Map<string, number>();
  const onStream = new Map<string, number>();
  const handled = new Map<string, { at: number; wallClock: number; recordedAt: string }>();
  const personOf = (data: unknown) => (data as { subjects: { personId: string } }).subjects.personId;
  const tap = nats.subscribe(natsSubject('accanto.people.person-registered.v1', namespace), {
    callback: (_error, msg) => void onStream.set(personOf(msg.json()), performance.now()),
  });
  cleanup.push(async () => tap.unsubscribe());
  const consumer = await startConsumer({
    nats,
    namespace,
    orm,
    durable: 'bench-follower',
    filterSubject: 'accanto.people.>',
    handlers: {
      'accanto.people.person-registered.v1': async (event) => {
        handled.set(personOf(event), {
          at: performance.now(),
          wallClock: Date.now(),
          recordedAt: event.recordedAt,
        });
      },
    },
  });
  cleanup.push(() => consumer.stop());
  const http = await openLoop(options.target, options.rate, options.seconds, (id, at) =>
    responded.set(id, at),
  );
  const missing = () => [...responded.keys()].some((id) => !handled.has(id) || !onStream.has(id));
  for (let waited = 0; waited < 5000 && missing(); waited += 100) await sleep(100);
  const done = [...responded].flatMap(([id, response]) => {
    const handler = handled.get(id);
    const stream = onStream.get(id);
    return handler && stream ? [{ response, stream, handler }] : [];
  });
  return {
    http,
    registered: responded.size,
    handled: done.length,
    responseToHandler: done.map((e) => e.handler.at - e.response),
    responseToStream: done.map((e) => e.stream - e.response),
    streamToHandler: done.map((e) => e.handler.at - e.stream),
    // Wall clock, 1 ms resolution; recordedAt is set by EventLog.append inside the transaction, before commit.
    recordedAtToHandler: done.map((e) => e.handler.wallClock - Date.parse(e.handler.recordedAt)),
  };
}
