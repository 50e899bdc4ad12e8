import { Migration } from '@mikro-orm/migrations';
import { actorHasRole } from '#persistence';
import { appRole } from '../config.js';

const personVisible = (column: string) => `exists (select 1 from person p where p.id = ${column})`;

/**
 * Candidates found when records are registered or updated, kept for review (Open Path). A pair shows
 * only to whom may see both records; only the matcher (acting with the hub's reach) writes them.
 */
export class MigrationPeople0005 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table match_candidate (
        person_a uuid not null references person (id),
        person_b uuid not null references person (id),
        score numeric(4, 3) not null,
        components jsonb not null,
        found_at timestamptz not null,
        primary key (person_a, person_b),
        check (person_a < person_b)
      )`);
    this.addSql(`create index match_candidate_found_idx on match_candidate (found_at desc)`);
    this.addSql(`grant select, insert, update on match_candidate to ${appRole}`);
    this.addSql(`alter table match_candidate enable row level security`);
    this.addSql(`alter table match_candidate force row level security`);
    this.addSql(`
      create policy match_candidate_read on match_candidate for select to ${appRole}
      using (${personVisible('match_candidate.person_a')} and ${personVisible('match_candidate.person_b')})`);
    this.addSql(`
      create policy match_candidate_write on match_candidate for insert to ${appRole}
      with check (${actorHasRole('hub')})`);
    this.addSql(`
      create policy match_candidate_update on match_candidate for update to ${appRole}
      using (${actorHasRole('hub')}) with check (${actorHasRole('hub')})`);
  }
}
