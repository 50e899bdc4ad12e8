import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);

/**
 * Street contacts: who a team met, where, and what it gave. Unlike outings they are about a person,
 * so only the owning organisation's staff and the hub read them (contact.policy.ts); other partners
 * will see them as they see the person, once the people service's sharing reaches this one.
 */
export class MigrationOutings0002 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table contact (
        id uuid primary key,
        organisation text not null,
        outing_id uuid not null references outing (id),
        member_id uuid not null,
        occurred_at timestamptz not null,
        area text references area (code),
        latitude double precision,
        longitude double precision,
        place_description text,
        person_id uuid,
        anonymous_description text,
        bedded_down boolean not null,
        living_situation text not null,
        services jsonb not null default '{}',
        referrals text[] not null default '{}',
        first_contact boolean not null,
        recorded_by text not null,
        recorded_at timestamptz not null,
        forgotten_at timestamptz,
        check ((latitude is null) = (longitude is null)),
        check (forgotten_at is not null or person_id is not null or anonymous_description is not null),
        check (forgotten_at is not null or area is not null or latitude is not null)
      )`);
    this.addSql(`create index contact_outing_idx on contact (outing_id, id)`);
    this.addSql(`create index contact_person_idx on contact (person_id) where person_id is not null`);
    this.addSql(`create index contact_organisation_idx on contact (organisation, id)`);

    // Recorded once and never changed by the app: a correction is a new contact, erasure is below.
    this.addSql(`grant select, insert on contact to ${appRole}`);
    this.addSql(`alter table contact enable row level security`);
    this.addSql(`alter table contact force row level security`);
    this.addSql(`
      create policy contact_read on contact for select to ${appRole}
      using ((${ownerIs('organisation')} and ${partnerStaff}) or ${actorHasRole('hub')})`);
    this.addSql(`
      create policy contact_write on contact for insert to ${appRole}
      with check (${ownerIs('organisation')} and ${partnerStaff})`);

    // A person erased in the people service (docs/adr/0009): their contacts stay, counted in
    // aggregates, without the link or anything that could lead back to them (descriptions, the
    // exact spot). The one change the app may make to contacts, across tenants, and only this
    // one: hence a function running as the table's owner rather than a policy.
    // Erased persons, by id only: a field app's queue uploaded after the erasure must not link
    // its contacts to them again.
    this.addSql(`create table forgotten_person (person_id uuid primary key, forgotten_at timestamptz not null)`);
    this.addSql(`grant select on forgotten_person to ${appRole}`);
    this.addSql(`
      create function forget_person(forgotten uuid, at timestamptz) returns integer
        language sql security definer set search_path = pg_catalog, public as $$
        insert into forgotten_person (person_id, forgotten_at) values (forgotten, at) on conflict do nothing;
        with changed as (
          update contact
             set person_id = null, anonymous_description = null, place_description = null,
                 latitude = null, longitude = null, forgotten_at = at
           where person_id = forgotten returning 1)
        select count(*)::integer from changed
      $$`);
    // Row-level security is forced on the owner too (outside tests it is no superuser): these
    // let the function, and only a forgetting change, through.
    this.addSql(`create policy contact_owner_reads on contact for select to current_user using (true)`);
    this.addSql(`
      create policy contact_owner_forgets on contact for update to current_user
      using (true) with check (forgotten_at is not null and person_id is null)`);
    this.addSql(`revoke all on function forget_person(uuid, timestamptz) from public`);
    this.addSql(`grant execute on function forget_person(uuid, timestamptz) to ${appRole}`);
  }
}
