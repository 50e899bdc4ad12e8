import type { EntityManager } from '@mikro-orm/postgresql';
import {
  describeSubject,
  parseEnvelope,
  subjectOf,
  type Actor,
  type EventEnvelope,
  type EventPayload,
  type EventSubject,
} from '#contracts';
import { nativeQuery } from '#persistence';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson, chainHash, genesisHash } from './chain.js';
import { captureTraceContext } from './trace-context.js';

/** An event to record; distributes over subjects so each payload must match its own subject. */
export type NewEvent<S extends EventSubject = EventSubject> = S extends EventSubject
  ? {
      subject: S;
      payload: EventPayload<S>;
      subjects: Record<string, string>;
      organisation: string;
      actor: Actor;
      correlationId: string;
      causationId?: string | null;
      /** When it happened in the street; defaults to now. */
      occurredAt?: Date;
    }
  : never;

/** A `pg` Pool or Client, connected as a role that may read the log (the relay's, an auditor's). */
export type Queryable = pg.Pool | pg.ClientBase;

export type ChainVerification =
  { ok: true; length: number } | { ok: false; position: number; reason: string };

/** The service's append-only, hash-chained event log: the transactional outbox. */
export class EventLog {
  /**
   * Records events in the caller's transaction (call inside `em.transactional`), so they exist
   * exactly when the entity changes do. Every envelope is validated before anything is written.
   */
  async append(em: EntityManager, events: readonly NewEvent[], now = new Date()): Promise<EventEnvelope[]> {
    if (!em.isInTransaction()) throw new Error('EventLog.append must run inside em.transactional()');
    const trace = JSON.stringify(captureTraceContext());
    const envelopes = events.map((event) => buildEnvelope(event, now));
    if (envelopes.length === 0) return [];

    // Staged, not yet chained: at commit the database seals them into event_log under the head's
    // lock (event_log_seal in schema.ts), so no writer waits on another across round trips.
    const params = envelopes.flatMap((envelope) => [
      envelope.id,
      subjectOf(envelope),
      envelope.organisation,
      JSON.stringify(envelope),
      canonicalJson(envelope),
      trace,
    ]);
    const rows = envelopes.map((_, i) => {
      const n = i * 6;
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, $${n + 5}, $${n + 6}::jsonb)`;
    });
    await nativeQuery(
      em,
      `insert into event_log_pending (id, subject, organisation, envelope, canonical, trace_context) values ${rows.join(', ')}`,
      params,
    );
    return envelopes;
  }
}

function buildEnvelope(event: NewEvent, now: Date): EventEnvelope {
  // parseEnvelope is what consumers run: nothing is recorded that a consumer would refuse.
  return parseEnvelope({
    id: uuidv7(),
    ...describeSubject(event.subject),
    occurredAt: (event.occurredAt ?? now).toISOString(),
    recordedAt: now.toISOString(),
    organisation: event.organisation,
    actor: event.actor,
    correlationId: event.correlationId,
    causationId: event.causationId ?? null,
    subjects: event.subjects,
    payload: event.payload,
  });
}

/**
 * Recomputes the whole chain in position order: gap-free positions, each `previous_hash` equal to
 * the hash before it, each hash equal to sha256(previous + canonical envelope), and the head on
 * the last row (so rows cut from the end show too).
 */
export async function verifyChain(db: Queryable, batchSize = 500): Promise<ChainVerification> {
  let position = 0;
  let previousHash = genesisHash;
  for (;;) {
    const { rows } = await db.query(
      `select position, id, subject, organisation, envelope, previous_hash, hash
         from event_log where position > $1 order by position limit $2`,
      [position, batchSize],
    );
    for (const row of rows) {
      const expected = position + 1;
      const at = Number(row.position);
      if (at !== expected)
        return { ok: false, position: expected, reason: `position ${expected} is missing` };
      if (row.previous_hash !== previousHash) {
        return { ok: false, position: at, reason: 'previous_hash does not match the hash before it' };
      }
      if (chainHash(previousHash, row.envelope) !== row.hash) {
        return { ok: false, position: at, reason: 'hash does not match the envelope' };
      }
      const envelope = row.envelope as EventEnvelope;
      if (
        row.id !== envelope.id ||
        row.subject !== subjectOf(envelope) ||
        row.organisation !== envelope.organisation
      ) {
        return { ok: false, position: at, reason: 'id, subject or organisation differs from the envelope' };
      }
      position = at;
      previousHash = row.hash;
    }
    if (rows.length < batchSize) break;
  }
  const { rows: heads } = await db.query('select position, hash from event_log_head');
  const head = heads[0];
  if (!head || Number(head.position) !== position || head.hash !== previousHash) {
    return {
      ok: false,
      position: Number(head?.position ?? 0),
      reason: `head does not match the last row (${position})`,
    };
  }
  return { ok: true, length: position };
}
