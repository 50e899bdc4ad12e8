import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);

/**
 * Persons at special risk (person-restriction-changed from the people service): the hub reads their
 * contacts only where the owner named it, as it reads their record. Kept by a function, like
 * forget_person, so the app changes this list only as the people service says.
 */
export class MigrationOutings0005 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table restricted_person (
        person_id uuid primary key,
        organisations text[] not null
      )`);
    // Read by the contact policy below, which runs as the app's role.
    this.addSql(`grant select on restricted_person to ${appRole}`);

    this.addSql(`drop policy contact_read on contact`);
    this.addSql(`
      create policy contact_read on contact for select to ${appRole} using (
        (${ownerIs('organisation')} and ${partnerStaff})
        or (${actorHasRole('hub')} and not exists (
          select 1 from restricted_person r
           where r.person_id = contact.person_id
             and not current_setting('${tenantSetting}', true) = any(r.organisations))))`);

    this.addSql(`
      create function restrict_person(person uuid, restricted boolean, named text[]) returns void
        language sql security definer set search_path = pg_catalog, public as $$
        delete from restricted_person where person_id = person and not restricted;
        insert into restricted_person (person_id, organisations) select person, named where restricted
          on conflict (person_id) do update set organisations = excluded.organisations;
      $$`);
    this.addSql(`revoke all on function restrict_person(uuid, boolean, text[]) from public`);
    this.addSql(`grant execute on function restrict_person(uuid, boolean, text[]) to ${appRole}`);
  }
}
