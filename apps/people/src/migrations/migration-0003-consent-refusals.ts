import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, ownerIs } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);

/**
 * A person may refuse consent (Clarity's "consent refused"): recorded as data so coordinators can
 * report on it, kept apart from consents so a refusal can never grant access by mistake.
 */
export class MigrationPeople0003 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table consent_refusal (
        id uuid primary key,
        person_id uuid not null references person (id),
        owner_organisation text not null,
        refused_at timestamptz not null,
        recorded_by text not null,
        recorded_at timestamptz not null
      )`);
    this.addSql(`create index consent_refusal_person_idx on consent_refusal (person_id, refused_at)`);
    this.addSql(`grant select, insert on consent_refusal to ${appRole}`);
    this.addSql(`alter table consent_refusal enable row level security`);
    this.addSql(`alter table consent_refusal force row level security`);
    this.addSql(`
      create policy consent_refusal_own on consent_refusal for all to ${appRole}
      using (${ownerIs('owner_organisation')} and ${partnerStaff})
      with check (${ownerIs('owner_organisation')} and ${partnerStaff})`);
  }
}
