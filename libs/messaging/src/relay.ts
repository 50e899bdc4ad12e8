import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import {
  metrics,
  type Attributes,
  type Counter,
  type ObservableCallback,
  type ObservableGauge,
} from '@opentelemetry/api';
import { subjectOf, type EventEnvelope } from '#contracts';
import pg from 'pg';
import { canonicalJson } from './chain.js';
import { eventLogChannel } from './schema.js';
import { natsSubject } from './streams.js';
import { setTraceHeaders, type TraceContext } from './trace-context.js';

export type MessagingLogger = {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

export type RelayOptions = {
  /** Connection URL of the relay's own role (reads every tenant's events, moves the cursor). */
  databaseUrl: string;
  nats: NatsConnection;
  namespace?: string;
  batchSize?: number;
  /** Fallback when no NOTIFY arrives (e.g. a transaction that only took an xid). */
  pollIntervalMs?: number;
  /**
   * How often, at most, the cursor is written. It only bounds what a relay taking over publishes
   * again, which JetStream's duplicate window (2 minutes) and the consumers' inboxes drop; written
   * per batch, it cost a commit and its WAL flush per event under steady load.
   */
  cursorIntervalMs?: number;
  /** How often a standby relay tries to take the lock. */
  standbyRetryMs?: number;
  /** Exponential back-off while publishing fails (NATS down). */
  backoff?: { initialMs?: number; maxMs?: number };
  publishTimeoutMs?: number;
  logger?: MessagingLogger;
};

export type RelayState = 'stopped' | 'standby' | 'active';

export type RelayHealth = {
  state: RelayState;
  published: number;
  lastPublishedAt: string | null;
  /** Consecutive failed attempts; more than 0 means the relay is backing off. */
  failures: number;
  lastError: string | null;
};

type Row = {
  position: string;
  transaction_id: string;
  envelope: EventEnvelope;
  trace_context: TraceContext | null;
  previous_hash: string;
  hash: string;
};

// One relay per service database: a session advisory lock held by the relay's connection.
const lockKey = 0x61636361; // "acca"

// The relay's metrics carry no event data: the service is the resource's `service.name`.
const publishAttributes: Attributes = { 'messaging.system': 'nats', 'messaging.operation.name': 'publish' };

const columns =
  'position, transaction_id::text as transaction_id, envelope, trace_context, previous_hash, hash';

/**
 * Publishes the event log to JetStream in commit order (positions are handed out at commit under the
 * chain head's lock, see readBatch), after the cursor; the cursor moves only after JetStream acknowledged
 * the rows.
 */
export class Relay {
  private readonly options: Required<Omit<RelayOptions, 'namespace' | 'backoff'>> &
    Pick<RelayOptions, 'namespace'>;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly js: JetStreamClient;
  private running: Promise<void> | null = null;
  private stopping = new AbortController();
  private wake: (() => void) | null = null;
  private woken = false;
  /** When the oldest event read but not yet acknowledged by JetStream was recorded (ms since epoch). */
  private oldestUnpublishedAt: number | null = null;
  private readonly sent: Counter;
  private readonly lag: ObservableGauge;
  // Only the active relay reports: a standby one knows nothing of the log.
  private readonly observeLag: ObservableCallback = (result) => {
    if (this.status.state !== 'active') return;
    const since = this.oldestUnpublishedAt;
    result.observe(since === null ? 0 : Math.max(0, (Date.now() - since) / 1000));
  };
  private status: RelayHealth = {
    state: 'stopped',
    published: 0,
    lastPublishedAt: null,
    failures: 0,
    lastError: null,
  };

  constructor({ backoff, ...options }: RelayOptions) {
    this.options = {
      batchSize: 100,
      pollIntervalMs: 500,
      cursorIntervalMs: 250,
      standbyRetryMs: 1000,
      publishTimeoutMs: 5000,
      logger: new Logger('Relay'),
      ...options,
    };
    this.backoff = { initialMs: 100, maxMs: 10_000, ...backoff };
    this.js = jetstream(options.nats, { timeout: this.options.publishTimeoutMs });
    // Per relay, not per module: the metrics API has no proxy, so a meter taken before the SDK
    // registered its provider would stay a no-op.
    const meter = metrics.getMeter('accanto-messaging');
    this.sent = meter.createCounter('messaging.client.sent.messages', {
      description: 'Events the relay published (JetStream acknowledged) or failed to publish (error.type).',
      unit: '{message}',
    });
    this.lag = meter.createObservableGauge('accanto.relay.lag', {
      description:
        'Age of the oldest committed event not yet published, as of the last read; 0 when caught up.',
      unit: 's',
    });
  }

  health(): RelayHealth {
    return { ...this.status };
  }

  /** Starts in the background: standby until it holds the lock, then publishes until stopped. */
  start(): void {
    if (this.running) return;
    this.stopping = new AbortController();
    this.lag.addCallback(this.observeLag);
    this.running = this.run();
  }

  /** Finishes the current batch, then releases the lock and the connection. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.signal();
    await this.running;
    this.running = null;
    this.lag.removeCallback(this.observeLag);
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.lead();
      } catch (error) {
        this.fail(error);
        await this.pause(this.options.standbyRetryMs);
      }
    }
    this.status.state = 'stopped';
  }

  // One database session: take the lock, LISTEN, publish. Everything runs on this one connection,
  // so losing it (and with it the lock) makes the next query fail and the loop give up.
  private async lead(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    let lost: unknown = null;
    client.on('error', (error) => {
      lost = error;
      this.signal();
    });
    client.on('notification', () => this.signal());
    await client.connect();
    try {
      this.status.state = 'standby';
      while (!(await client.query('select pg_try_advisory_lock($1) as locked', [lockKey])).rows[0].locked) {
        if (await this.pause(this.options.standbyRetryMs)) return;
      }
      await client.query(`listen ${eventLogChannel}`);
      const [cursor] = (
        await client.query('select transaction_id::text as transaction_id, position from relay_cursor')
      ).rows;
      let after = { transactionId: cursor.transaction_id as string, position: String(cursor.position) };
      // What relay_cursor holds, and when it was written: `after` runs ahead of it between writes.
      let stored = after;
      let storedAt = performance.now();
      const storeCursor = async () => {
        if (stored.position !== after.position)
          await client.query('update relay_cursor set transaction_id = $1::xid8, position = $2', [
            after.transactionId,
            after.position,
          ]);
        stored = after;
        storedAt = performance.now();
      };
      this.status.state = 'active';
      this.options.logger.log(`active from transaction ${after.transactionId}, position ${after.position}`);
      while (!this.stopping.signal.aborted && !lost) {
        let rows: Row[];
        try {
          rows = await readBatch(client, after, this.options.batchSize);
        } catch (error) {
          if (lost) break;
          throw error;
        }
        if (rows.length > 0) this.oldestUnpublishedAt = Date.parse(rows[0].envelope.recordedAt);
        const { published, error } = await publishRows(this.js, rows, this.options.namespace);
        // Left as it is after a full batch: more is waiting, and the next read sets it.
        if (published < rows.length)
          this.oldestUnpublishedAt = Date.parse(rows[published].envelope.recordedAt);
        else if (rows.length < this.options.batchSize) this.oldestUnpublishedAt = null;
        if (error)
          this.sent.add(rows.length - published, { ...publishAttributes, 'error.type': errorType(error) });
        if (published > 0) {
          this.sent.add(published, publishAttributes);
          const last = rows[published - 1];
          after = { transactionId: last.transaction_id, position: last.position };
          this.status.published += published;
          this.status.lastPublishedAt = new Date().toISOString();
        }
        if (performance.now() - storedAt >= this.options.cursorIntervalMs) await storeCursor();
        if (error) {
          this.fail(error);
          const wait = Math.min(this.backoff.initialMs * 2 ** (this.status.failures - 1), this.backoff.maxMs);
          await this.pause(wait);
          continue;
        }
        this.status.failures = 0;
        // A full batch means more is waiting; otherwise sleep until a commit NOTIFYs (or the poll),
        // and no longer than the cursor may stay behind.
        if (rows.length < this.options.batchSize) {
          const behind = stored.position !== after.position;
          const cursorDue = Math.max(0, this.options.cursorIntervalMs - (performance.now() - storedAt));
          await this.waitForWork(
            behind ? Math.min(this.options.pollIntervalMs, cursorDue) : this.options.pollIntervalMs,
          );
        }
      }
      if (lost) throw lost;
      // Stopping: leave the cursor where publishing got, so the next relay starts there.
      await storeCursor();
    } finally {
      this.status.state = 'standby';
      // Ending the session releases the advisory lock and the LISTEN.
      await client.end().catch(() => undefined);
    }
  }

  private fail(error: unknown): void {
    this.status.failures += 1;
    this.status.lastError = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(`attempt ${this.status.failures} failed: ${this.status.lastError}`);
  }

  private signal(): void {
    this.woken = true;
    this.wake?.();
  }

  // Resolves on NOTIFY, on stop, or after the poll interval; a NOTIFY that came during the
  // previous batch is not lost (`woken`).
  private async waitForWork(ms: number): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    this.woken = false;
  }

  /** Sleeps unless stopped; true when stopped. */
  private async pause(ms: number): Promise<boolean> {
    await delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    return this.stopping.signal.aborted;
  }
}

// Rows after the cursor in position order. Events are sealed into the log at commit under the chain
// head's lock (ADR 0010), so positions are handed out in commit order: once position p is visible, no
// row with a lower position can still appear. Waiting for the snapshot's xmin (the rule for logs numbered by a
// sequence) would hold every event back while any transaction with an xid is open in the database —
// under steady load, always. See docs/adr/0001-outbox-and-relay.md.
async function readBatch(client: pg.Client, after: { position: string }, limit: number): Promise<Row[]> {
  const { rows } = await client.query<Row>(
    `select ${columns} from event_log where position > $1::bigint order by position limit $2`,
    [after.position, limit],
  );
  return rows;
}

/** The error's class name: a bounded metric attribute, unlike its message. */
function errorType(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** Publishes rows in order and awaits every ack; reports how many from the start were acknowledged. */
async function publishRows(
  js: JetStreamClient,
  rows: Row[],
  namespace?: string,
): Promise<{ published: number; error: unknown }> {
  const results = await Promise.allSettled(rows.map((row) => publishRow(js, row, namespace)));
  const failed = results.findIndex((result) => result.status === 'rejected');
  if (failed === -1) return { published: rows.length, error: null };
  return { published: failed, error: (results[failed] as PromiseRejectedResult).reason };
}

function publishRow(js: JetStreamClient, row: Row, namespace?: string) {
  const h = headers();
  setTraceHeaders(h, row.trace_context);
  // The chain travels along so a reader (reporting, auditors) can check continuity on ingest.
  h.set('Accanto-Position', String(row.position));
  h.set('Accanto-Previous-Hash', row.previous_hash);
  h.set('Accanto-Hash', row.hash);
  // The body is the canonical JSON that was hashed; the subject comes from the (hashed) envelope.
  return js.publish(natsSubject(subjectOf(row.envelope), namespace), canonicalJson(row.envelope), {
    msgID: row.envelope.id,
    headers: h,
  });
}

export type RepublishOptions = {
  databaseUrl: string;
  nats: NatsConnection;
  namespace?: string;
  batchSize?: number;
};

/**
 * The recovery drill: publishes the whole log again in position order. Safe beside a running
 * relay: JetStream drops repeats within its window, consumers' inboxes drop the rest.
 */
export async function republishAll({
  databaseUrl,
  nats,
  namespace,
  batchSize = 500,
}: RepublishOptions): Promise<{ published: number }> {
  const js = jetstream(nats);
  const client = new pg.Client({ connectionString: databaseUrl });
  // A lost connection already fails the pending query; the event must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    let position = '0';
    let published = 0;
    for (;;) {
      const { rows } = await client.query<Row>(
        `select ${columns} from event_log where position > $1 order by position limit $2`,
        [position, batchSize],
      );
      const result = await publishRows(js, rows, namespace);
      published += result.published;
      if (result.error) throw result.error;
      if (rows.length < batchSize) return { published };
      position = rows[rows.length - 1].position;
    }
  } finally {
    await client.end();
  }
}
