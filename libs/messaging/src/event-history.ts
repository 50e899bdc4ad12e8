import { Controller, Get, Injectable, Query, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import pg from 'pg';
import { z } from 'zod';
import type { EventEnvelope } from '#contracts';
import { LimitedPerClient, Roles } from '#auth';
import { decodeCursor, encodeCursor, Input, pageQuery, type Page } from '#http';
import { verifyChain, type ChainVerification } from './event-log.js';

// Auditors review each service's event history and check its chain through the API (architecture.md
// §6). Events carry no names by design (what the bus carries, every other service already reads),
// so an auditor sees the envelopes as they are.

export const eventHistoryQuery = z
  .object({
    ...pageQuery,
    /** The owning organisation's alias. */
    organisation: z.string().max(63).optional(),
    /** A catalog subject: `accanto.people.person-registered.v1`. */
    subject: z.string().max(200).optional(),
    /** Recorded at or after / before these instants. */
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type EventHistoryQuery = z.output<typeof eventHistoryQuery>;

/** One event of the log, where it stands in the chain. */
export type HistoryEntry = {
  position: number;
  previousHash: string;
  hash: string;
  envelope: EventEnvelope;
};

const cursorSchema = z.object({ position: z.number().int().min(0) }).strict();

/**
 * Reads the log as the relay's database role, the one that may read it across tenants
 * (architecture.md §5): the app's own role may only stage events (ADR 0010). Two connections at
 * most: audits are rare, and must not take the app's pool.
 */
@Injectable()
export class EventHistory implements OnApplicationShutdown {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 10_000 });
  }

  async page(query: EventHistoryQuery): Promise<Page<HistoryEntry>> {
    const after = decodeCursor(query.cursor, cursorSchema)?.position ?? 0;
    const { rows } = await this.pool.query<{
      position: string;
      previous_hash: string;
      hash: string;
      envelope: EventEnvelope;
    }>(
      `select position, previous_hash, hash, envelope from event_log
        where position > $1
          and ($2::text is null or organisation = $2)
          and ($3::text is null or subject = $3)
          and ($4::timestamptz is null or recorded_at >= $4)
          and ($5::timestamptz is null or recorded_at < $5)
        order by position limit $6`,
      [
        after,
        query.organisation ?? null,
        query.subject ?? null,
        query.from ?? null,
        query.to ?? null,
        query.limit + 1,
      ],
    );
    const items = rows.slice(0, query.limit).map((row) => ({
      position: Number(row.position),
      previousHash: row.previous_hash,
      hash: row.hash,
      envelope: row.envelope,
    }));
    const next = rows.length > query.limit ? encodeCursor({ position: items.at(-1)!.position }) : null;
    return { items, next };
  }

  verify(): Promise<ChainVerification> {
    return verifyChain(this.pool);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** `/<prefix>/audit/...`: the prefix is known at forRoot time only, hence a class per call. */
export function eventHistoryController(prefix: string): Type {
  @ApiTags('audit')
  @Controller(`${prefix}/audit`)
  @Roles('auditor')
  class EventHistoryController {
    constructor(private readonly history: EventHistory) {}

    /** The service's events in the order they were committed, with each one's place in the hash chain. */
    @Get('events')
    @Input({ query: eventHistoryQuery })
    events(@Query() query: EventHistoryQuery): Promise<Page<HistoryEntry>> {
      return this.history.page(query);
    }

    /** Recomputes the whole chain: `{ ok: true, length }`, or where it breaks and why. */
    @Get('chain')
    @LimitedPerClient()
    chain(): Promise<ChainVerification> {
      return this.history.verify();
    }
  }
  return EventHistoryController;
}
