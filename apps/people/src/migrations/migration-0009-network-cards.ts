import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole } from '../config.js';
import { cardAliasesOf } from '../persons/person.dto.js';
import type { SealedData } from '../persons/person.entity.js';
import type { PersonVault } from '../vault/person-vault.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
const asker = `current_setting('${tenantSetting}', true)`;
const owner = `(${ownerIs('p.owner_organisation')} and ${partnerStaff})`;
const hub = actorHasRole('hub');

/**
 * The network card (architecture.md §5; docs/adr/0016-network-cards.md): a consent may share the
 * whole record or only the card, so reading the record now needs a consent that shares it. The card
 * (folded aliases, birth year, usual area) is read through `person_cards`, which applies the card's
 * own rules: row-level security on `person` is the record's. Existing aliases are folded from the
 * sealed data here, hence the master key.
 */
export function migrationPeople0009(vault: PersonVault) {
  return class MigrationPeople0009 extends Migration {
    override async up(): Promise<void> {
      await this.execute(`alter table consent add column shares text not null default 'record'
        check (shares in ('record', 'card'))`);
      await this.execute(`alter table person add column card_aliases text[] not null default '{}'`);

      await this.execute(`drop policy person_read on person`);
      await this.execute(`
        create policy person_read on person for select to ${appRole} using (
          (${ownerIs('owner_organisation')} and ${partnerStaff})
          or (person.restricted and ${asker} = any(person.restricted_to) and (${partnerStaff} or ${hub}))
          or (not person.restricted and ${hub})
          or (not person.restricted and ${partnerStaff} and exists (
            select 1 from consent c where c.person_id = person.id and c.shares = 'record' and c.revoked_at is null
              and c.given_at <= now() and (c.expires_at is null or c.expires_at > now())
              and (c.scope = 'network' or ${asker} = any(c.organisations))))
        )`);

      // Cards by id (person_ids), or searched by alias and area past a cursor. A restricted person's
      // card shows to its owner and the organisations it names, and in a search to its owner only.
      await this.execute(`
        create function person_cards(person_ids uuid[], alias text, area text, after uuid, max_rows integer)
          returns table (person_id uuid, owner_organisation text, card_aliases text[], birth_year integer,
            usual_area text, basis text, consent_id uuid, whole_record boolean)
          language sql stable security definer set search_path = public, pg_temp as $$
          select p.id, p.owner_organisation, p.card_aliases, p.birth_year, p.usual_area,
            case when ${owner} then 'owner' when p.restricted then 'restriction' when ${hub} then 'hub'
              else 'consent' end,
            case when ${owner} or p.restricted or ${hub} then null else c.id end,
            ${owner} or p.restricted or ${hub} or coalesce(c.shares = 'record', false)
          from person p
          left join lateral (
            select c.id, c.shares from consent c
            where c.person_id = p.id and c.revoked_at is null and c.given_at <= now()
              and (c.expires_at is null or c.expires_at > now())
              and (c.scope = 'network' or ${asker} = any(c.organisations))
            order by c.shares = 'record' desc, c.given_at
            limit 1
          ) c on true
          where p.forgotten_at is null
            and (person_ids is null or p.id = any(person_ids))
            and (after is null or p.id > after)
            and (alias is null or exists (select 1 from unnest(p.card_aliases) as a
              where string_to_array(alias, ' ') <@ string_to_array(a, ' ')))
            and (area is null or p.usual_area = area)
            and (
              ${owner}
              or (p.restricted and person_ids is not null and ${asker} = any(p.restricted_to)
                and (${partnerStaff} or ${hub}))
              or (not p.restricted and ${hub})
              or (not p.restricted and ${partnerStaff} and c.id is not null)
            )
          order by p.id
          limit max_rows
        $$`);
      await this.execute(`revoke all on function person_cards(uuid[], text, text, uuid, integer) from public`);
      await this.execute(`grant execute on function person_cards(uuid[], text, text, uuid, integer) to ${appRole}`);

      // The owner rewrites every row: row-level security is forced on it too, so lift it for this step.
      await this.execute(`alter table person no force row level security`);
      const rows = (await this.execute(
        `select person.id, person.sealed, person_key.wrapped_key
         from person join person_key on person_key.person_id = person.id
         where person.forgotten_at is null and person_key.wrapped_key is not null`,
      )) as unknown as Array<{ id: string; sealed: string; wrapped_key: Buffer }>;
      for (const row of rows) {
        const data = vault.open<SealedData>(vault.unwrap(row.id, row.wrapped_key), row.id, row.sealed);
        // As JSON: a bound array would be spread into a list.
        await this.execute(
          `update person set card_aliases = array(select jsonb_array_elements_text(?::jsonb)) where id = ?`,
          [JSON.stringify(cardAliasesOf(data.aliases)), row.id],
        );
      }
      await this.execute(`alter table person force row level security`);
    }
  };
}
