import type { EntityManager } from '@mikro-orm/postgresql';
import { arrayParameters } from '#persistence';
import type { PersonSharing } from '../access.js';

// Reads of the view PersonViewService keeps, for the features that share data as a person is shared.

/** The person's record and every record linked with it to the same network person. */
export async function linkedRecords(em: EntityManager, personId: string): Promise<string[]> {
  const rows = await em.execute<Array<{ person_id: string }>>(
    `select other.person_id from person_link own
       join person_link other on other.network_person_id = own.network_person_id
      where own.person_id = ?`,
    [personId],
  );
  return [...new Set([personId, ...rows.map((row) => row.person_id)])];
}

/** What the people service's events said of who sees each person; consents expired by now left out. */
export async function personSharing(em: EntityManager, ids: string[]): Promise<Map<string, PersonSharing>> {
  if (ids.length === 0) return new Map();
  const rows = await em.execute<
    Array<{
      person_id: string;
      owner: string | null;
      restricted_to: string[] | null;
      network: boolean;
      named: string[];
    }>
  >(
    `select p.id as person_id,
            (select organisation from person_owner where person_id = p.id) as owner,
            (select organisations from restricted_person where person_id = p.id) as restricted_to,
            coalesce(bool_or(c.scope = 'network'), false) as network,
            coalesce(array_agg(distinct n) filter (where n is not null), '{}') as named
       from unnest(?::uuid[]) as p(id)
       left join person_consent c
         on c.person_id = p.id and not c.revoked and c.scope is not null
        and (c.expires_at is null or c.expires_at > now())
       left join lateral unnest(c.organisations) as n on true
      group by p.id`,
    arrayParameters([ids]),
  );
  return new Map(
    rows.map((r) => [
      r.person_id,
      { owner: r.owner, restrictedTo: r.restricted_to, consentedTo: r.network ? 'network' : r.named },
    ]),
  );
}
