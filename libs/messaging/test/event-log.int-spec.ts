import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { genesisHash } from '../src/chain.js';
import { EventLog, verifyChain } from '../src/event-log.js';
import { messagingMigrationSql } from '../src/schema.js';
import { append, createMessagingDatabase, openOrm, personRegistered, type TestDatabase } from './fixtures.js';

describe('event log (the outbox)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let relay: pg.Pool;

  beforeAll(async () => {
    db = await createMessagingDatabase();
    orm = await openOrm(db.appUrl);
    relay = new pg.Pool({ connectionString: db.relayUrl, max: 2 });
    relay.on('error', () => undefined);
  });

  afterAll(async () => {
    await relay.end();
    await orm.close();
    await db.drop();
  });

  it('records full envelopes in the caller transaction, chained, and verifies under concurrent writers', async () => {
    const before = (await verifyChain(relay)) as { ok: true; length: number };
    const event = personRegistered({ occurredAt: new Date('2026-11-23T21:10:00Z'), causationId: null });
    const [envelope] = await append(orm, [event]);
    expect(envelope).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{14}7/),
      type: 'people.person-registered',
      version: 1,
      occurredAt: '2026-11-23T21:10:00.000Z',
      organisation: 'cri-milano',
      subjects: event.subjects,
      payload: event.payload,
    });

    // Ten writers at once: the head lock serialises them, so the chain never forks.
    await Promise.all(
      Array.from({ length: 10 }, () => append(orm, [personRegistered(), personRegistered()])),
    );

    const { rows } = await db.admin.query(
      'select position, id, subject, organisation, envelope from event_log order by position',
    );
    expect(rows.map((row) => Number(row.position))).toEqual(
      Array.from({ length: before.length + 21 }, (_, i) => i + 1),
    );
    const row = rows.find((r) => r.id === envelope.id);
    expect(row).toMatchObject({
      subject: 'accanto.people.person-registered.v1',
      organisation: 'cri-milano',
      envelope,
    });
    expect(await verifyChain(relay)).toEqual({ ok: true, length: before.length + 21 });
    // Staged rows exist only inside their transaction.
    expect((await db.admin.query('select count(*)::int as n from event_log_pending')).rows[0].n).toBe(0);
  });

  it('chains at commit: an open transaction that appended does not hold back another writer', async () => {
    const before = (await verifyChain(relay)) as { ok: true; length: number };
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstAppended!: () => void;
    const appendedInFirst = new Promise<void>((resolve) => (firstAppended = resolve));
    const first = orm.em.fork().transactional(async (em) => {
      const [envelope] = await new EventLog().append(em, [personRegistered()]);
      firstAppended();
      await firstMayCommit;
      return envelope;
    });
    await appendedInFirst;
    // Under a lock taken at append time this would wait for `first` until the test timed out.
    const [second] = await append(orm, [personRegistered()]);
    releaseFirst();
    const firstEnvelope = await first;

    const { rows } = await db.admin.query('select id from event_log where position > $1 order by position', [
      before.length,
    ]);
    // Positions follow commit order, not the order the transactions appended in.
    expect(rows.map((row) => row.id)).toEqual([second.id, firstEnvelope.id]);
    expect(await verifyChain(relay)).toEqual({ ok: true, length: before.length + 2 });
  });

  it('leaves nothing behind when the transaction rolls back', async () => {
    const before = await db.admin.query('select position, hash from event_log_head');
    await expect(
      orm.em.fork().transactional(async (em) => {
        await new EventLog().append(em, [personRegistered()]);
        throw new Error('the handler failed');
      }),
    ).rejects.toThrow('the handler failed');
    expect((await db.admin.query('select position, hash from event_log_head')).rows).toEqual(before.rows);
    expect((await db.admin.query('select count(*)::int as n from event_log_pending')).rows[0].n).toBe(0);
  });

  it('writes nothing when an event does not match its contract', async () => {
    const before = await db.admin.query('select position, hash from event_log_head');
    const bad = personRegistered();
    (bad.payload as Record<string, unknown>).givenName = 'Mario';
    await expect(append(orm, [personRegistered(), bad])).rejects.toThrow(/givenName|unrecognized/i);
    await expect(append(orm, [personRegistered({ organisation: 'Not An Alias' })])).rejects.toThrow();

    expect((await db.admin.query('select position, hash from event_log_head')).rows).toEqual(before.rows);
    const { rows } = await db.admin.query('select count(*)::int as count from event_log');
    expect(rows[0].count).toBe(Number(before.rows[0].position));
  });

  it('refuses to append outside a transaction (the chain would fork)', async () => {
    await expect(new EventLog().append(orm.em.fork(), [personRegistered()])).rejects.toThrow(
      /em.transactional/,
    );
  });

  it('refuses UPDATE, DELETE and reading the log to the app role, and changes to everyone', async () => {
    await append(orm, [personRegistered()]);
    const app = new pg.Client({ connectionString: db.appUrl });
    await app.connect();
    try {
      await expect(
        app.query(`update event_log set organisation = 'other' where position = 1`),
      ).rejects.toThrow(/permission denied/);
      await expect(app.query('delete from event_log where position = 1')).rejects.toThrow(
        /permission denied/,
      );
      await expect(app.query('select * from event_log')).rejects.toThrow(/permission denied/);
      // The app cannot choose a position, a hash or the transaction id: only the seal writes the log.
      await expect(
        app.query(
          `insert into event_log (position, id, transaction_id, subject, organisation, envelope, previous_hash, hash)
           values (999, gen_random_uuid(), '1', 's', 'o', '{}', '', '')`,
        ),
      ).rejects.toThrow(/permission denied/);
      await expect(app.query('update event_log_head set position = 0')).rejects.toThrow(/permission denied/);
      await expect(app.query('select * from event_log_pending')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
    // Even the owner is stopped by the triggers.
    await expect(db.admin.query(`update event_log set organisation = 'other'`)).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(db.admin.query('delete from event_log')).rejects.toThrow(/append-only: DELETE/);
    await expect(db.admin.query('truncate event_log')).rejects.toThrow(/append-only: TRUNCATE/);
    expect((await verifyChain(relay)).ok).toBe(true);
  });

  it('detects a row altered behind the service', async () => {
    await append(orm, [personRegistered(), personRegistered()]);
    const { rows } = await db.admin.query('select max(position)::int as last from event_log');
    const target = rows[0].last - 1;
    const client = await db.admin.connect();
    try {
      // What an attacker with superuser rights would do: bypass the triggers, then edit.
      await client.query('set session_replication_role = replica');
      await client.query(
        `update event_log set envelope = jsonb_set(envelope, '{payload,ageBand}', '"65+"') where position = $1`,
        [target],
      );
    } finally {
      await client.query('set session_replication_role = origin');
      client.release();
    }
    expect(await verifyChain(relay)).toEqual({
      ok: false,
      position: target,
      reason: 'hash does not match the envelope',
    });
  });
});

describe('chain verification', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createMessagingDatabase();
    orm = await openOrm(db.appUrl);
  });

  afterAll(async () => {
    await orm.close();
    await db.drop();
  });

  it('starts from the genesis hash and notices rows cut from the end', async () => {
    expect(await verifyChain(db.admin)).toEqual({ ok: true, length: 0 });
    await append(orm, [personRegistered(), personRegistered(), personRegistered()]);
    const { rows } = await db.admin.query('select previous_hash from event_log where position = 1');
    expect(rows[0].previous_hash).toBe(genesisHash);
    expect(await verifyChain(db.admin, 2)).toEqual({ ok: true, length: 3 });
    // The migration SQL runs again harmlessly (an app may re-apply it), keeping head and rows.
    await db.admin.query(messagingMigrationSql(db.roles));
    expect(await verifyChain(db.admin)).toEqual({ ok: true, length: 3 });

    const client = await db.admin.connect();
    try {
      await client.query('set session_replication_role = replica');
      await client.query('delete from event_log where position = 3');
    } finally {
      await client.query('set session_replication_role = origin');
      client.release();
    }
    expect(await verifyChain(db.admin)).toMatchObject({
      ok: false,
      position: 3,
      reason: expect.stringMatching(/head/),
    });
  });
});
