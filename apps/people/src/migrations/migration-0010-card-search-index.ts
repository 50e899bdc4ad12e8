import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
const asker = `current_setting('${tenantSetting}', true)`;
const owner = `(${ownerIs('p.owner_organisation')} and ${partnerStaff})`;
const hub = actorHasRole('hub');
const activeConsentCovering = `c.person_id = p.id and c.revoked_at is null and c.given_at <= now()
  and (c.expires_at is null or c.expires_at > now()) and (c.scope = 'network' or ${asker} = any(c.organisations))`;

// Who sees a card in a search, and by id, where a restricted person's shows to those it names too.
const inSearch = `(${owner} or (not p.restricted and ${hub})
  or (not p.restricted and ${partnerStaff} and exists (select 1 from consent c where ${activeConsentCovering})))`;
const byId = `(${inSearch} or (p.restricted and ${asker} = any(p.restricted_to) and (${partnerStaff} or ${hub})))`;

// The card and why the caller sees it. The consent is looked up for the rows returned only.
const card = `select p.id, p.owner_organisation, p.card_aliases, p.birth_year, p.usual_area,
    (case when ${owner} then 'owner' when p.restricted then 'restriction' when ${hub} then 'hub'
      else 'consent' end)::text,
    case when ${owner} or p.restricted or ${hub} then null else (select c.id from consent c
      where ${activeConsentCovering} order by c.shares = 'record' desc, c.given_at limit 1) end,
    ${owner} or p.restricted or ${hub}
      or exists (select 1 from consent c where ${activeConsentCovering} and c.shares = 'record')
  from person p`;
// Past the cursor through the primary key: the nil UUID when there is none.
const page = `p.forgotten_at is null and p.id > coalesce(after, '00000000-0000-0000-0000-000000000000')
  and (area is null or p.usual_area = area) and ${inSearch}
  order by p.id limit max_rows`;

/**
 * Card search through an index (docs/adr/0016-network-cards.md): measured among 100,000 persons, the
 * first `person_cards` read every row, 110–290 ms a search. The words of a person's aliases are
 * indexed (GIN over `card_words`), and each way of asking is its own query, so that each is planned
 * for what it filters on; the consent behind a card is looked up for the rows returned only.
 */
export class MigrationPeople0010 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function card_words(aliases text[]) returns text[]
        language sql immutable parallel safe set search_path = pg_catalog as $$
        select coalesce(array_agg(distinct word), '{}') from unnest(aliases) as alias,
          unnest(string_to_array(alias, ' ')) as word where word <> ''
      $$`);
    this.addSql(`create index person_card_words_idx on person using gin (card_words(card_aliases))`);
    this.addSql(`drop function person_cards(uuid[], text, text, uuid, integer)`);
    this.addSql(`
      create function person_cards(person_ids uuid[], alias text, area text, after uuid, max_rows integer)
        returns table (person_id uuid, owner_organisation text, card_aliases text[], birth_year integer,
          usual_area text, basis text, consent_id uuid, whole_record boolean)
        language plpgsql stable security definer set search_path = public, pg_temp as $$
        #variable_conflict use_column
        begin
          if person_ids is not null then
            return query ${card} where p.id = any(person_ids) and p.forgotten_at is null and ${byId}
              order by p.id limit max_rows;
          elsif alias is not null then
            return query ${card}
              where card_words(p.card_aliases) @> string_to_array(alias, ' ') and ${page};
          else
            return query ${card} where ${page};
          end if;
        end $$`);
    this.addSql(`revoke all on function person_cards(uuid[], text, text, uuid, integer) from public`);
    this.addSql(`grant execute on function person_cards(uuid[], text, text, uuid, integer) to ${appRole}`);
  }
}
