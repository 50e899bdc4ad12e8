import { Migration } from '@mikro-orm/migrations';
import { actorHasRole, ownerIs, rolesSetting } from '#persistence';
import { appRole } from '../config.js';

const anyOf = (roles: string[]) =>
  `string_to_array(current_setting('${rolesSetting}', true), ',') && array[${roles.map((r) => `'${r}'`).join(',')}]`;
const readers = anyOf(['operator', 'coordinator', 'hub', 'lead', 'auditor']);
const counters = anyOf(['operator', 'coordinator', 'lead']);

/**
 * Point-in-time counts (racCONTAMI): a campaign run by the lead body on one night over chosen areas,
 * and one tally per area from the team that counted it. Everyone in the network sees campaigns; a
 * tally row is its organisation's, and the lead body's, the hub's and auditors'. Others get the
 * results as aggregates only, through count_district_totals (a function: it reads every tally).
 */
export class MigrationOutings0004 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table count_campaign (
        id uuid primary key,
        edition text not null unique,
        night date not null,
        status text not null check (status in ('pre-count', 'active', 'locked', 'archived')),
        areas text[] not null,
        version integer not null default 1,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`
      create table count_tally (
        campaign_id uuid not null references count_campaign (id),
        area text not null references area (code),
        organisation text not null,
        observed integer not null check (observed >= 0),
        interviewed integer not null check (interviewed between 0 and observed),
        version integer not null default 1,
        recorded_by text not null,
        recorded_at timestamptz not null,
        primary key (campaign_id, area)
      )`);

    this.addSql(`grant select, insert, update on count_campaign, count_tally to ${appRole}`);

    this.addSql(`alter table count_campaign enable row level security`);
    this.addSql(`alter table count_campaign force row level security`);
    this.addSql(`create policy count_campaign_read on count_campaign for select to ${appRole} using (${readers})`);
    this.addSql(`
      create policy count_campaign_write on count_campaign for insert to ${appRole}
      with check (${actorHasRole('lead')})`);
    this.addSql(`
      create policy count_campaign_update on count_campaign for update to ${appRole}
      using (${actorHasRole('lead')}) with check (${actorHasRole('lead')})`);

    this.addSql(`alter table count_tally enable row level security`);
    this.addSql(`alter table count_tally force row level security`);
    this.addSql(`
      create policy count_tally_read on count_tally for select to ${appRole} using (
        (${ownerIs('organisation')} and ${counters}) or ${anyOf(['lead', 'hub', 'auditor'])})`);
    this.addSql(`
      create policy count_tally_write on count_tally for insert to ${appRole}
      with check (${ownerIs('organisation')} and ${counters})`);
    this.addSql(`
      create policy count_tally_update on count_tally for update to ${appRole}
      using (${ownerIs('organisation')} and ${counters}) with check (${ownerIs('organisation')} and ${counters})`);

    // Sums by Municipio over every tally, for those who may not read the rows: small cells are
    // suppressed by the app (count.rules.ts). Row-level security is forced on the owner too.
    this.addSql(`create policy count_tally_owner_reads on count_tally for select to current_user using (true)`);
    this.addSql(`
      create function count_district_totals(campaign uuid)
        returns table (district integer, observed bigint, interviewed bigint, areas bigint)
        language sql stable security definer set search_path = pg_catalog, public as $$
        select a.district, sum(t.observed), sum(t.interviewed), count(*)
          from count_tally t join area a on a.code = t.area
         where t.campaign_id = campaign
         group by a.district order by a.district
      $$`);
    this.addSql(`revoke all on function count_district_totals(uuid) from public`);
    this.addSql(`grant execute on function count_district_totals(uuid) to ${appRole}`);
  }
}
