import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { messagingMigrationSql, natsSubject, streamNames } from '#messaging';
import type { EventSubject } from '#contracts';
import { appNodeFlags, collectEvents, eventually } from '#testing';
import type { FollowerArgs } from './follower.js';
import { openLoop, type Target } from './load.js';

/**
 * Waits until every event_log row is on the stream. If some are still missing after `timeoutMs`,
 * says which (transaction id, position), where the relay's cursor is, and which transactions are
 * open (an open one holds the relay back): the evidence for a lost or stuck event.
 */
export async function outboxBacklog(
  ownerUrl: string,
  natsUrl: string,
  jsm: JetStreamManager,
  namespace: string,
  timeoutMs: number,
) {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const start = performance.now();
    for (;;) {
      const { n } = (await owner.query('select count(*)::int as n from event_log')).rows[0];
      const missing = n - (await jsm.streams.info(streamNames(namespace).events)).state.messages;
      const seconds = (performance.now() - start) / 1000;
      if (missing <= 0) return { missing: 0, seconds };
      if (seconds * 1000 < timeoutMs) {
        await sleep(200);
        continue;
      }
      const stream = await collectEvents(natsUrl, streamNames(namespace).events);
      await sleep(2000);
      const published = new Set(stream.events.map((e) => e.msgId));
      await stream.close();
      const rows = await owner.query(
        'select id, transaction_id::text as xid, position, recorded_at from event_log',
      );
      const cursor = await owner.query('select transaction_id::text as xid, position from relay_cursor');
      const open = await owner.query(
        `select usename, state, backend_xid::text, xact_start, left(query, 60) as query from pg_stat_activity
          where datname = current_database() and backend_xid is not null`,
      );
      const notPublished = rows.rows.filter((row) => !published.has(row.id));
      return { missing, seconds, notPublished, cursor: cursor.rows[0], openTransactions: open.rows };
    }
  } finally {
    await owner.end();
  }
}

/**
 * Registrations at a fixed rate while a durable consumer (startConsumer in follower.ts, a process of
 * its own with its own database and the messaging tables) follows person-registered events. Per
 * event, in epoch milliseconds at the clocks' resolution: when the HTTP response arrived (the
 * transaction has committed by then), when the message reached NATS (a plain subscription on the
 * subject, in this process), and when the consumer's handler was entered (inside its transaction,
 * after the inbox insert, in the follower).
 */
export type Handled = {
  key: string;
  at: number;
  /** When the message reached the follower's process (a plain subscription there), if it did first. */
  arrivedAt: number | null;
  wallClock: number;
  recordedAt: string;
};

/**
 * Another service's consumer (follower.ts) as a process of its own, on its own database with the
 * messaging tables, following `subject` from now on; `onHandled` hears of each event it handled.
 */
export async function startFollower(options: {
  natsUrl: string;
  jsm: JetStreamManager;
  consumerDb: string;
  namespace: string;
  filterSubject: string;
  subject: EventSubject;
  key: string;
  cleanup: Array<() => Promise<unknown>>;
  onHandled: (event: Handled) => void;
}): Promise<{ pid: number }> {
  const { natsUrl, jsm, consumerDb, namespace, filterSubject, subject, key, cleanup } = options;
  const setup = new pg.Client({ connectionString: consumerDb });
  await setup.connect();
  await setup.query(messagingMigrationSql({ app: 'postgres', relay: 'postgres' }));
  await setup.end();
  // Created here with DeliverPolicy.New (startConsumer keeps an existing durable) so that it
  // follows this phase only, not the backlog of earlier runs.
  await jsm.consumers.add(streamNames(namespace).events, {
    durable_name: 'bench-follower',
    filter_subject: natsSubject(filterSubject, namespace),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
  });
  const args: FollowerArgs = [consumerDb, natsUrl, namespace, filterSubject, subject, key];
  const follower = fork(resolve(import.meta.dirname, 'follower.js'), args, {
    // BENCH_APP_FLAGS (e.g. a GC probe) reach the follower too, as they reach the apps and relays.
    execArgv: [...appNodeFlags, ...(process.env.BENCH_APP_FLAGS?.split(' ').filter(Boolean) ?? [])],
  });
  const exited = new Promise((done) => follower.once('exit', done));
  cleanup.push(async () => {
    follower.disconnect();
    await exited;
  });
  await new Promise<void>((ready, failed) => {
    follower.once('exit', (code) => failed(new Error(`the follower exited with ${code}`)));
    follower.on('message', (message: 'ready' | Handled) => {
      if (message === 'ready') return ready();
      options.onHandled(message);
    });
  });
  return { pid: follower.pid! };
}

export async function eventLatency(options: {
  nats: NatsConnection;
  natsUrl: string;
  jsm: JetStreamManager;
  consumerDb: string;
  namespace: string;
  target: Target;
  rate: number;
  seconds: number;
  /** Seconds at the same rate first, reported apart: the follower, a new process, warms up in them. */
  warmupSeconds: number;
  cleanup: Array<() => Promise<unknown>>;
}) {
  const { nats, natsUrl, jsm, consumerDb, namespace, cleanup } = options;
  // Keyed by person id, filled in whatever order things happen: the message can beat the response.
  const responded = new Map<string, number>();
  const respondedInWarmup = new Map<string, number>();
  const onStream = new Map<string, number>();
  const handled = new Map<string, Handled>();
  const personOf = (data: unknown) => (data as { subjects: { personId: string } }).subjects.personId;
  // Times on the epoch, in milliseconds with this process's resolution: the follower reports the same.
  const now = () => performance.timeOrigin + performance.now();
  const tap = nats.subscribe(natsSubject('accanto.people.person-registered.v1', namespace), {
    callback: (_error, msg) => void onStream.set(personOf(msg.json()), now()),
  });
  cleanup.push(async () => tap.unsubscribe());
  await startFollower({
    natsUrl,
    jsm,
    consumerDb,
    namespace,
    cleanup,
    filterSubject: 'accanto.people.>',
    subject: 'accanto.people.person-registered.v1',
    key: 'personId',
    onHandled: (event) => handled.set(event.key, event),
  });
  const http = await openLoop(options.target, options.rate, options.seconds, {
    onCreated: (id, at, warmup) =>
      (warmup ? respondedInWarmup : responded).set(id, performance.timeOrigin + at),
    warmupSeconds: options.warmupSeconds,
  });
  const missing = () => [...responded.keys()].some((id) => !handled.has(id) || !onStream.has(id));
  // Up to 5 s for the last events; any still missing show as handled < registered.
  await eventually(
    () => {
      if (missing()) throw new Error('events still missing');
    },
    { timeoutMs: 5000, intervalMs: 100 },
  ).catch(() => undefined);
  const completed = (sent: Map<string, number>) =>
    [...sent].flatMap(([id, response]) => {
      const handler = handled.get(id);
      const stream = onStream.get(id);
      return handler && stream ? [{ response, stream, handler }] : [];
    });
  const done = completed(responded);
  return {
    http,
    registered: responded.size,
    handled: done.length,
    responseToHandler: done.map((e) => e.handler.at - e.response),
    warmupResponseToHandler: completed(respondedInWarmup).map((e) => e.handler.at - e.response),
    responseToStream: done.map((e) => e.stream - e.response),
    streamToHandler: done.map((e) => e.handler.at - e.stream),
    streamToFollower: done.flatMap((e) =>
      e.handler.arrivedAt === null ? [] : [e.handler.arrivedAt - e.stream],
    ),
    followerToHandler: done.flatMap((e) =>
      e.handler.arrivedAt === null ? [] : [e.handler.at - e.handler.arrivedAt],
    ),
    // Wall clock, 1 ms resolution; recordedAt is set by EventLog.append inside the transaction, before commit.
    recordedAtToHandler: done.map((e) => e.handler.wallClock - Date.parse(e.handler.recordedAt)),
  };
}
