import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, ownerIs } from '#persistence';
import { appRole } from '../config.js';

const readers = actorHasAnyRole(['operator', 'coordinator', 'hub', 'lead', 'auditor']);
const organisers = actorHasAnyRole(['coordinator', 'lead']);

/**
 * racCONTAMI as it is run: teams of at least three volunteers, each hosted by an organisation and
 * sent to some of the count's areas, one team per area; and each area's tally broken down by sex, by
 * age band and by whether people were bedded down. Tallies recorded before this carry their people
 * as of unknown sex and age.
 */
export class MigrationOutings0008 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table count_team (
        id uuid primary key,
        campaign_id uuid not null references count_campaign (id),
        organisation text not null,
        name text not null,
        volunteers text[] not null check (cardinality(volunteers) >= 3),
        areas text[] not null,
        version integer not null default 1,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index count_team_campaign_idx on count_team (campaign_id)`);
    // One team per area of a count, held by the database so two teams formed at once cannot share one.
    this.addSql(`
      create table count_team_area (
        campaign_id uuid not null references count_campaign (id),
        area text not null references area (code),
        team_id uuid not null references count_team (id),
        organisation text not null,
        primary key (campaign_id, area)
      )`);
    this.addSql(`grant select, insert, update on count_team to ${appRole}`);
    this.addSql(`grant select, insert, delete on count_team_area to ${appRole}`);
    for (const table of ['count_team', 'count_team_area']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      // Who counts where is coordination data: every reader of the count sees it.
      this.addSql(`create policy ${table}_read on ${table} for select to ${appRole} using (${readers})`);
      this.addSql(`
        create policy ${table}_write on ${table} for insert to ${appRole}
        with check (${ownerIs('organisation')} and ${organisers})`);
    }
    this.addSql(`
      create policy count_team_update on count_team for update to ${appRole}
      using (${ownerIs('organisation')} and ${organisers}) with check (${ownerIs('organisation')} and ${organisers})`);
    this.addSql(`
      create policy count_team_area_delete on count_team_area for delete to ${appRole}
      using (${ownerIs('organisation')} and ${organisers})`);

    this.addSql(`alter table count_tally add column by_sex jsonb, add column by_age_band jsonb, add column bedded_down integer`);
    this.addSql(`
      update count_tally set by_sex = jsonb_build_object('unknown', observed),
                             by_age_band = jsonb_build_object('unknown', observed)`);
    this.addSql(`alter table count_tally alter column by_sex set not null, alter column by_age_band set not null`);
    this.addSql(`
      alter table count_tally add constraint count_tally_bedded_down_check
        check (bedded_down between 0 and observed)`);
    // The breakdown over every tally of a count, for those who may not read the rows (as
    // count_district_totals): one row per category, the people in it.
    this.addSql(`
      create function count_breakdown(campaign uuid)
        returns table (dimension text, category text, people bigint)
        language sql stable security definer set search_path = pg_catalog, public as $$
        select 'sex', s.key, sum(s.value::integer)
          from count_tally t cross join jsonb_each_text(t.by_sex) s
         where t.campaign_id = campaign group by s.key
        union all
        select 'age', a.key, sum(a.value::integer)
          from count_tally t cross join jsonb_each_text(t.by_age_band) a
         where t.campaign_id = campaign group by a.key
        union all
        select 'bedded-down', 'recorded', sum(t.bedded_down)
          from count_tally t where t.campaign_id = campaign and t.bedded_down is not null
        union all
        select 'bedded-down', 'areas-not-recorded', count(*)
          from count_tally t where t.campaign_id = campaign and t.bedded_down is null
      $$`);
    this.addSql(`revoke all on function count_breakdown(uuid) from public`);
    this.addSql(`grant execute on function count_breakdown(uuid) to ${appRole}`);
  }
}
