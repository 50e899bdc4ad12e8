import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
const tenant = `current_setting('${tenantSetting}', true)`;

/**
 * Who sees a person, as the people service's events say (architecture.md §5: street contacts are
 * seen as the person is): the organisation that registered them, the organisations their active
 * consents name (or every partner, for network consent), and for a person at special risk only the
 * organisations the owner named. Ids, organisation codes and dates only: no personal data. Kept by
 * functions, like restrict_person, so the app changes it only as the people service says.
 */
export class MigrationOutings0007 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table person_owner (person_id uuid primary key, organisation text not null)`);
    // scope is null while only the revocation has arrived: such a row never grants anything.
    this.addSql(`
      create table person_consent (
        consent_id uuid primary key,
        person_id uuid not null,
        scope text check (scope in ('organisations', 'network')),
        organisations text[] not null default '{}',
        expires_at timestamptz,
        revoked boolean not null default false
      )`);
    this.addSql(`create index person_consent_person_idx on person_consent (person_id)`);
    this.addSql(`create table person_link (person_id uuid primary key, network_person_id uuid not null)`);
    this.addSql(`create index person_link_network_idx on person_link (network_person_id)`);
    this.addSql(`grant select on person_owner, person_consent, person_link to ${appRole}`);

    // Whether a partner organisation sees the person; the service says the same (access.ts).
    this.addSql(`
      create function partner_sees_person(person uuid, org text) returns boolean
        language sql stable set search_path = pg_catalog, public as $$
        select exists (select 1 from person_owner o where o.person_id = person and o.organisation = org)
            or case when exists (select 1 from restricted_person r where r.person_id = person)
               then exists (select 1 from restricted_person r
                             where r.person_id = person and org = any(r.organisations))
               else exists (select 1 from person_consent c
                             where c.person_id = person and not c.revoked and c.scope is not null
                               and (c.expires_at is null or c.expires_at > now())
                               and (c.scope = 'network' or org = any(c.organisations)))
               end
      $$`);

    this.addSql(`drop policy contact_read on contact`);
    this.addSql(`
      create policy contact_read on contact for select to ${appRole} using (
        (${partnerStaff} and (${ownerIs('organisation')}
          or (person_id is not null and partner_sees_person(person_id, ${tenant}))))
        or (${actorHasRole('hub')} and not exists (
          select 1 from restricted_person r
           where r.person_id = contact.person_id and not ${tenant} = any(r.organisations))))`);

    // Events come in stream order, but a revocation may still be handled before its consent (a
    // redelivery after a failure): it leaves a revoked row the consent then fills in, still revoked.
    this.addSql(`
      create function register_person_owner(person uuid, org text) returns void
        language sql security definer set search_path = pg_catalog, public as $$
        insert into person_owner (person_id, organisation) values (person, org)
          on conflict (person_id) do nothing
      $$`);
    this.addSql(`
      create function give_consent(consent uuid, person uuid, given_scope text, named text[], expires timestamptz)
        returns void language sql security definer set search_path = pg_catalog, public as $$
        insert into person_consent (consent_id, person_id, scope, organisations, expires_at)
          values (consent, person, given_scope, named, expires)
          on conflict (consent_id) do update
            set scope = excluded.scope, organisations = excluded.organisations, expires_at = excluded.expires_at
      $$`);
    this.addSql(`
      create function revoke_consent(consent uuid, person uuid) returns void
        language sql security definer set search_path = pg_catalog, public as $$
        insert into person_consent (consent_id, person_id, revoked) values (consent, person, true)
          on conflict (consent_id) do update set revoked = true
      $$`);
    this.addSql(`
      create function link_persons(network uuid, persons uuid[]) returns void
        language sql security definer set search_path = pg_catalog, public as $$
        insert into person_link (person_id, network_person_id) select p, network from unnest(persons) p
          on conflict (person_id) do update set network_person_id = excluded.network_person_id
      $$`);
    this.addSql(`
      create function unlink_person(network uuid, person uuid) returns void
        language sql security definer set search_path = pg_catalog, public as $$
        delete from person_link where person_id = person and network_person_id = network
      $$`);
    for (const signature of [
      'register_person_owner(uuid, text)',
      'give_consent(uuid, uuid, text, text[], timestamptz)',
      'revoke_consent(uuid, uuid)',
      'link_persons(uuid, uuid[])',
      'unlink_person(uuid, uuid)',
    ]) {
      this.addSql(`revoke all on function ${signature} from public`);
      this.addSql(`grant execute on function ${signature} to ${appRole}`);
    }
  }
}
