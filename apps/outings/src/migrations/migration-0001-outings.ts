import { Migration } from '@mikro-orm/migrations';
import { messagingMigrationSql } from '#messaging';
import { actorHasRole, ownerIs, rolesSetting } from '#persistence';
import { milanDemoAreas } from '../areas/milan-demo-areas.js';
import { appRole, relayRole } from '../config.js';

const anyOf = (roles: string[]) =>
  `string_to_array(current_setting('${rolesSetting}', true), ',') && array[${roles.map((r) => `'${r}'`).join(',')}]`;
// Units and outings are coordination data: every partner, the hub, the lead body and auditors read
// them (architecture.md §5). Writes belong to the owning organisation's staff.
const readers = anyOf(['operator', 'coordinator', 'hub', 'lead', 'auditor']);
const partnerStaff = anyOf(['operator', 'coordinator']);

/**
 * Units, the city's areas and outings. Row-level security repeats outing.policy.ts at the database,
 * so a query that forgets the service check still writes only the actor's own organisation's rows,
 * and a transaction with no tenant set sees nothing. See docs/adr/0003-tenancy-on-keycloak-organisations.md.
 */
export class MigrationOutings0001 extends Migration {
  override async up(): Promise<void> {
    // Reference data of the City, the same for every organisation: no tenant column.
    this.addSql(`
      create table area (
        code text primary key,
        name text not null,
        district integer not null check (district between 1 and 9),
        shape jsonb not null
      )`);
    this.addSql(`create index area_district_idx on area (district, code)`);
    for (const area of milanDemoAreas) {
      this.addSql(
        `insert into area (code, name, district, shape) values (${[
          area.code,
          area.name,
          String(area.district),
          JSON.stringify(area.shape),
        ]
          .map(literal)
          .join(', ')})`,
      );
    }

    this.addSql(`
      create table unit (
        id uuid primary key,
        organisation text not null,
        version integer not null default 1,
        name text not null,
        vehicle text,
        specialisation text not null,
        active boolean not null default true,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index unit_organisation_idx on unit (organisation, id)`);

    this.addSql(`
      create table outing (
        id uuid primary key,
        organisation text not null,
        unit_id uuid not null references unit (id),
        version integer not null default 1,
        night date not null,
        status text not null check (status in ('planned', 'under-way', 'completed', 'cancelled')),
        planned_start timestamptz not null,
        planned_end timestamptz not null,
        team jsonb not null default '[]',
        areas_planned text[] not null default '{}',
        areas_covered text[] not null default '{}',
        supplies_loaded jsonb not null default '{}',
        supplies_left jsonb,
        started_at timestamptz,
        ended_at timestamptz,
        cancellation_reason text,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    // One shift per unit and night; a cancelled one frees the night for another plan.
    this.addSql(
      `create unique index outing_unit_night_key on outing (unit_id, night) where status <> 'cancelled'`,
    );
    this.addSql(`create index outing_night_idx on outing (night, id)`);
    this.addSql(`create index outing_areas_idx on outing using gin (areas_planned, areas_covered)`);

    this.addSql(messagingMigrationSql({ app: appRole, relay: relayRole }));

    this.addSql(`grant usage on schema public to ${appRole}, ${relayRole}`);
    this.addSql(`grant select on area to ${appRole}`);
    this.addSql(`grant select, insert, update on unit, outing to ${appRole}`);

    this.addSql(`alter table unit enable row level security`);
    this.addSql(`alter table unit force row level security`);
    this.addSql(`create policy unit_read on unit for select to ${appRole} using (${readers})`);
    // Units are how a partner organises its work: its coordinators manage them.
    this.addSql(`
      create policy unit_write on unit for insert to ${appRole}
      with check (${ownerIs('organisation')} and ${actorHasRole('coordinator')})`);
    this.addSql(`
      create policy unit_update on unit for update to ${appRole}
      using (${ownerIs('organisation')} and ${actorHasRole('coordinator')})
      with check (${ownerIs('organisation')} and ${actorHasRole('coordinator')})`);

    this.addSql(`alter table outing enable row level security`);
    this.addSql(`alter table outing force row level security`);
    this.addSql(`create policy outing_read on outing for select to ${appRole} using (${readers})`);
    this.addSql(`
      create policy outing_write on outing for insert to ${appRole}
      with check (${ownerIs('organisation')} and ${partnerStaff})`);
    this.addSql(`
      create policy outing_update on outing for update to ${appRole}
      using (${ownerIs('organisation')} and ${partnerStaff})
      with check (${ownerIs('organisation')} and ${partnerStaff})`);
  }
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
