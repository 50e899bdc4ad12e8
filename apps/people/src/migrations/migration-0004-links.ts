import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole } from '#persistence';
import { appRole } from '../config.js';
import { matchingMigrationSql } from '../matching/matching.schema.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
// Row-level security on `person` applies inside these subqueries: a link row shows only to whom
// may see its record.
const personVisible = (column: string) => `exists (select 1 from person p where p.id = ${column})`;

/**
 * Linking the same human across partners (issue 3): each partner's record stays its own and is linked
 * to one network person; links and unlinks are history, never deleted; an unlinked pair is remembered
 * so it is not proposed again. See docs/adr/0007-person-matching.md.
 */
export class MigrationPeople0004 extends Migration {
  override async up(): Promise<void> {
    for (const statement of matchingMigrationSql()) this.addSql(statement);

    this.addSql(`
      create table person_link (
        id uuid primary key,
        network_person_id uuid not null,
        person_id uuid not null references person (id),
        linked_by text not null,
        linked_by_organisation text not null,
        linked_at timestamptz not null,
        reason text,
        unlinked_by text,
        unlinked_by_organisation text,
        unlinked_at timestamptz,
        unlink_reason text
      )`);
    // A record belongs to one network person at a time.
    this.addSql(`create unique index person_link_active_idx on person_link (person_id) where unlinked_at is null`);
    this.addSql(`create index person_link_network_idx on person_link (network_person_id)`);
    this.addSql(`
      create table match_rejection (
        person_a uuid not null,
        person_b uuid not null,
        rejected_by text not null,
        rejected_by_organisation text not null,
        rejected_at timestamptz not null,
        reason text,
        primary key (person_a, person_b),
        check (person_a < person_b)
      )`);
    this.addSql(`grant select, insert, update on person_link to ${appRole}`);
    this.addSql(`grant select, insert on match_rejection to ${appRole}`);
    for (const table of ['person_link', 'match_rejection']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
    }
    const linker = `(${partnerStaff} or ${actorHasRole('hub')})`;
    this.addSql(`
      create policy person_link_visible on person_link for all to ${appRole}
      using (${personVisible('person_link.person_id')}) with check (${linker} and ${personVisible('person_link.person_id')})`);
    this.addSql(`
      create policy match_rejection_visible on match_rejection for all to ${appRole}
      using (${personVisible('match_rejection.person_a')} and ${personVisible('match_rejection.person_b')})
      with check (${linker} and ${personVisible('match_rejection.person_a')} and ${personVisible('match_rejection.person_b')})`);
  }
}
