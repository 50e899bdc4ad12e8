import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';

export const consentReportQuery = z
  .object({ expiringWithinDays: z.coerce.number().int().min(1).max(365).default(30) })
  .strict();
export type ConsentReportQuery = z.output<typeof consentReportQuery>;

const listed = 500;

export type ConsentReport = {
  organisation: string;
  asOf: string;
  expiringWithinDays: number;
  /** People with no active consent and no refusal on record: someone should ask them. */
  withoutConsent: { count: number; personIds: string[] };
  expiring: { count: number; items: Array<{ personId: string; consentId: string; expiresAt: string }> };
  /** People whose latest decision was to refuse. */
  refused: { count: number; items: Array<{ personId: string; refusedAt: string }> };
};

/** Consent work for one organisation's coordinators; runs in the tenant's transaction (RLS applies). */
export async function consentReport(
  em: EntityManager,
  organisation: string,
  expiringWithinDays: number,
  now: Date,
): Promise<ConsentReport> {
  const until = new Date(now.getTime() + expiringWithinDays * 86_400_000);
  const active = `select c.person_id from consent c where c.owner_organisation = ? and c.revoked_at is null
      and c.given_at <= ? and (c.expires_at is null or c.expires_at > ?)`;
  // A forgotten person needs no consent any more: no report names them.
  const remembered = (column: string) =>
    `${column} not in (select f.id from person f where f.forgotten_at is not null)`;
  const refusedSql = `select r.person_id, max(r.refused_at) as refused_at from consent_refusal r
      where r.owner_organisation = ? and ${remembered('r.person_id')} group by r.person_id
      having max(r.refused_at) > coalesce((select max(c.given_at) from consent c where c.person_id = r.person_id), '-infinity')`;
  const refused = await em.execute<Array<{ person_id: string; refused_at: Date }>>(
    `${refusedSql} order by refused_at desc`,
    [organisation],
  );
  const without = await em.execute<Array<{ id: string }>>(
    `select p.id from person p where p.owner_organisation = ? and p.forgotten_at is null
       and p.id not in (${active}) and p.id not in (select person_id from (${refusedSql}) refused)
     order by p.id`,
    [organisation, organisation, now, now, organisation],
  );
  const expiring = await em.execute<Array<{ person_id: string; id: string; expires_at: Date }>>(
    `select c.person_id, c.id, c.expires_at from consent c where c.owner_organisation = ? and c.revoked_at is null
       and c.given_at <= ? and c.expires_at > ? and c.expires_at <= ? and ${remembered('c.person_id')}
     order by c.expires_at`,
    [organisation, now, now, until],
  );
  return {
    organisation,
    asOf: now.toISOString(),
    expiringWithinDays,
    withoutConsent: { count: without.length, personIds: without.slice(0, listed).map((r) => r.id) },
    expiring: {
      count: expiring.length,
      items: expiring.slice(0, listed).map((r) => ({
        personId: r.person_id,
        consentId: r.id,
        expiresAt: new Date(r.expires_at).toISOString(),
      })),
    },
    refused: {
      count: refused.length,
      items: refused
        .slice(0, listed)
        .map((r) => ({ personId: r.person_id, refusedAt: new Date(r.refused_at).toISOString() })),
    },
  };
}
