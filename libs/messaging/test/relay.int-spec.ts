import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseEnvelope, subjectOf } from '#contracts';
import { eventually, uniqueName } from '#testing';
import { canonicalJson } from '../src/chain.js';
import { EventLog } from '../src/event-log.js';
import { Relay, republishAll, type RelayOptions } from '../src/relay.js';
import { ensureStreams, natsSubject, streamNames } from '../src/streams.js';
import {
  append,
  createMessagingDatabase,
  deleteStreams,
  openOrm,
  personRegistered,
  privateNats,
  streamMessages,
  type TestDatabase,
} from './fixtures.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('relay', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let namespace: string;
  let stream: string;
  const relays: Relay[] = [];

  function relay(options: Partial<RelayOptions> = {}): Relay {
    const created = new Relay({ databaseUrl: db.relayUrl, nats, namespace, logger: quiet, ...options });
    relays.push(created);
    created.start();
    return created;
  }

  async function published(count: number) {
    return eventually(async () => {
      const messages = await streamMessages(jsm, stream);
      expect(messages).toHaveLength(count);
      return messages;
    });
  }

  const cursor = async () =>
    (await db.admin.query('select position::int from relay_cursor')).rows[0].position;

  beforeEach(async () => {
    db = await createMessagingDatabase();
    orm = await openOrm(db.appUrl);
    nats = await connect({ servers: process.env.NATS_URL });
    jsm = await jetstreamManager(nats);
    namespace = uniqueName('r');
    stream = (await ensureStreams(jsm, namespace)).events;
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await deleteStreams(nats, namespace);
    await nats.close();
    await orm.close();
    await db.drop();
  });

  it('publishes each event with its full envelope, Nats-Msg-Id = id, woken by the commit', async () => {
    // A poll interval longer than the test: only the NOTIFY at commit can wake it in time.
    const r = relay({ pollIntervalMs: 60_000 });
    await eventually(() => expect(r.health().state).toBe('active'));
    const envelopes = await append(orm, [
      personRegistered(),
      { ...personRegistered(), subject: 'accanto.people.person-viewed.v1', payload: viewed() },
    ]);

    const messages = await published(2);
    messages.forEach((message, i) => {
      expect(parseEnvelope(message.json())).toEqual(envelopes[i]);
      expect(message.header.get('Nats-Msg-Id')).toBe(envelopes[i].id);
      expect(message.subject).toBe(natsSubject(subjectOf(envelopes[i]), namespace));
    });
    expect(messages[1].subject).toBe(`${namespace}.accanto.people.person-viewed.v1`);
    await eventually(async () => expect(await cursor()).toBe(2));
  });

  it('does not skip a transaction that commits after a later-started one, nor wait for it', async () => {
    const r = relay({ pollIntervalMs: 50 });
    await eventually(() => expect(r.health().state).toBe('active'));
    let started!: () => void;
    let release!: () => void;
    const hasXid = new Promise<void>((resolve) => (started = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const transactionA = orm.em.fork().transactional(async (em) => {
      await em.execute('select pg_current_xact_id()');
      started();
      await gate;
      return new EventLog().append(em, [personRegistered()]);
    });
    await hasXid;
    const [b] = await append(orm, [personRegistered()]);

    // B committed while A, older, is still open: B is published at once, not held back by A.
    try {
      const first = await published(1);
      expect(first.map((m) => m.header.get('Nats-Msg-Id'))).toEqual([b.id]);
    } finally {
      release();
    }
    const [a] = await transactionA;
    const messages = await published(2);
    // Commit order: the chain head hands out positions under its lock, so B before A.
    expect(messages.map((m) => m.header.get('Nats-Msg-Id'))).toEqual([b.id, a.id]);
    expect(messages.map((m) => Number(m.header.get('Accanto-Position')))).toEqual([1, 2]);
  });

  it('keeps writes working while NATS is down and delivers them when it is back', async () => {
    const server = await privateNats();
    const own = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      // A short API timeout: a request sent while the client is still reconnecting is not answered.
      const ownJsm = await jetstreamManager(own, { timeout: 500 });
      await ensureStreams(ownJsm, namespace);
      const r = relay({
        nats: own,
        pollIntervalMs: 100,
        publishTimeoutMs: 500,
        backoff: { initialMs: 50, maxMs: 400 },
      });
      const [first] = await append(orm, [personRegistered()]);
      await eventually(async () => expect(await cursor()).toBe(1));

      await server.stop();
      const written = await append(orm, [personRegistered(), personRegistered()]);
      await eventually(() => expect(r.health().failures).toBeGreaterThanOrEqual(2));
      expect(await cursor()).toBe(1);

      await server.start();
      await eventually(
        async () => {
          const messages = await streamMessages(ownJsm, stream);
          expect(messages.map((m) => m.header.get('Nats-Msg-Id'))).toEqual(
            [first, ...written].map((e) => e.id),
          );
        },
        { timeoutMs: 20_000 },
      );
      await eventually(async () => expect(await cursor()).toBe(3));
      expect(r.health()).toMatchObject({ state: 'active', failures: 0, published: 3 });
    } finally {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
      await own.close();
      await server.remove();
    }
  });

  it('loses nothing and publishes nothing twice when a relay died before moving its cursor', async () => {
    const envelopes = await append(
      orm,
      Array.from({ length: 6 }, () => personRegistered()),
    );
    // What a relay killed mid-batch leaves: half the batch acknowledged by JetStream, the cursor unmoved.
    const js = jetstream(nats);
    for (const envelope of envelopes.slice(0, 3)) {
      await js.publish(natsSubject(subjectOf(envelope), namespace), canonicalJson(envelope), {
        msgID: envelope.id,
      });
    }

    const r = relay();
    await eventually(() => expect(r.health().published).toBe(6));
    const messages = await streamMessages(jsm, stream);
    expect(messages.map((m) => m.header.get('Nats-Msg-Id'))).toEqual(envelopes.map((e) => e.id));
    await eventually(async () => expect(await cursor()).toBe(6));
  });

  it('writes its cursor once per interval, not per batch, and where publishing got when it stops', async () => {
    const r = relay({ cursorIntervalMs: 60_000 });
    await eventually(() => expect(r.health().state).toBe('active'));
    await append(orm, [personRegistered()]);
    await append(orm, [personRegistered(), personRegistered()]);
    await eventually(() => expect(r.health().published).toBe(3));
    expect(await cursor()).toBe(0);

    await r.stop();
    expect(await cursor()).toBe(3);
    // The next relay starts there: nothing is published twice.
    const next = relay();
    await append(orm, [personRegistered()]);
    await eventually(() => expect(next.health().published).toBe(1));
    expect(await published(4)).toHaveLength(4);
  });

  it('runs one relay at a time; a standby takes over when the active one dies', async () => {
    const first = relay({ standbyRetryMs: 100, pollIntervalMs: 100 });
    await eventually(() => expect(first.health().state).toBe('active'));
    const second = relay({ standbyRetryMs: 100, pollIntervalMs: 100 });
    await eventually(() => expect(second.health().state).toBe('standby'));
    const before = await append(orm, [personRegistered(), personRegistered()]);
    await published(2);
    expect(second.health()).toMatchObject({ state: 'standby', published: 0 });

    // A crash, as the database sees it: the session holding the lock goes away.
    const { rowCount } = await db.admin.query(
      `select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(rowCount).toBe(1);
    const after = await append(orm, [personRegistered(), personRegistered()]);

    const messages = await published(4);
    expect(messages.map((m) => m.header.get('Nats-Msg-Id'))).toEqual([...before, ...after].map((e) => e.id));
    await eventually(() =>
      expect([first, second].filter((r) => r.health().state === 'active')).toHaveLength(1),
    );

    // stop() releases the lock: whichever is left becomes active.
    const active = first.health().state === 'active' ? first : second;
    const standby = active === first ? second : first;
    await active.stop();
    expect(active.health().state).toBe('stopped');
    await eventually(() => expect(standby.health().state).toBe('active'));
  });

  it('republishes the whole log for the recovery drill; JetStream drops the repeats', async () => {
    const r = relay();
    const envelopes = await append(orm, [personRegistered(), personRegistered(), personRegistered()]);
    await eventually(() => expect(r.health().published).toBe(3));

    expect(await republishAll({ databaseUrl: db.relayUrl, nats, namespace, batchSize: 2 })).toEqual({
      published: 3,
    });
    const messages = await streamMessages(jsm, streamNames(namespace).events);
    expect(messages.map((m) => m.header.get('Nats-Msg-Id'))).toEqual(envelopes.map((e) => e.id));
  });
});

function viewed() {
  return { personId: '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9f', basis: 'hub' as const, consentId: null };
}
