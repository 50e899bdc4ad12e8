import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
const namedByRestriction = `(person.restricted and current_setting('${tenantSetting}', true) = any(person.restricted_to)
  and (${partnerStaff} or ${actorHasRole('hub')}))`;

/**
 * Protected people (issue 3): a restricted record is readable only by its owner and the organisations
 * it names, whatever consents or the hub role say. And the access log: who read or changed a record,
 * when, under which role and basis.
 */
export class MigrationPeople0002 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table person add column restricted boolean not null default false`);
    this.addSql(`alter table person add column restricted_to text[] not null default '{}'`);
    this.addSql(`alter table person add column restriction_reason text`);

    this.addSql(`drop policy person_read on person`);
    this.addSql(`
      create policy person_read on person for select to ${appRole} using (
        (${ownerIs('owner_organisation')} and ${partnerStaff})
        or ${namedByRestriction}
        or (not person.restricted and ${actorHasRole('hub')})
        or (not person.restricted and ${partnerStaff} and exists (
          select 1 from consent c where c.person_id = person.id and c.revoked_at is null and c.given_at <= now()
            and (c.expires_at is null or c.expires_at > now())
            and (c.scope = 'network' or current_setting('${tenantSetting}', true) = any(c.organisations))))
      )`);

    this.addSql(`
      create table access_log (
        id uuid primary key,
        person_id uuid not null,
        owner_organisation text not null,
        action text not null,
        basis text not null,
        consent_id uuid,
        actor_user text not null,
        actor_organisation text not null,
        actor_roles text[] not null,
        at timestamptz not null
      )`);
    this.addSql(`create index access_log_person_idx on access_log (person_id, at)`);
    this.addSql(`create index access_log_owner_idx on access_log (owner_organisation, at)`);
    // Append-only for the app: no update or delete is granted.
    this.addSql(`grant select, insert on access_log to ${appRole}`);
    this.addSql(`alter table access_log enable row level security`);
    this.addSql(`alter table access_log force row level security`);
    this.addSql(`
      create policy access_log_write on access_log for insert to ${appRole}
      with check (actor_organisation = current_setting('${tenantSetting}', true))`);
    this.addSql(`
      create policy access_log_read on access_log for select to ${appRole} using (
        (${ownerIs('owner_organisation')} and ${actorHasRole('coordinator')}) or ${actorHasRole('auditor')}
      )`);
  }
}
