import { Migration } from '@mikro-orm/migrations';
import type { SealedData } from '../persons/person.entity.js';
import type { CandidateRow } from '../matching/match.queries.js';
import { matchColumnsOf, matchingMigrationSql } from '../matching/matching.schema.js';
import type { PersonVault } from '../vault/person-vault.js';

type Row = Pick<
  CandidateRow,
  'id' | 'sealed' | 'wrapped_key' | 'birth_date_quality' | 'estimated_age' | 'estimated_age_on' | 'nationality' | 'usual_area'
>;

/**
 * Blocking keys for records holding one name (a birth year range, the usual area) and the candidate
 * function that reports namesakes itself (docs/adr/0007). The keys are derived from the sealed names,
 * so every record's are computed again here: the migration needs the master key, hence the factory.
 */
export function migrationPeople0008(vault: PersonVault) {
  return class MigrationPeople0008 extends Migration {
    override async up(): Promise<void> {
      for (const statement of matchingMigrationSql()) await this.execute(statement);
      // The owner rewrites every row: row-level security is forced on it too, so lift it for this step.
      await this.execute(`alter table person no force row level security`);
      const rows = (await this.execute(
        `select person.id, person.sealed, person_key.wrapped_key, person.birth_date_quality, person.estimated_age,
           person.estimated_age_on::text as estimated_age_on, person.nationality, person.usual_area
         from person join person_key on person_key.person_id = person.id
         where person.forgotten_at is null and person_key.wrapped_key is not null`,
      )) as unknown as Row[];
      for (const row of rows) {
        const data = vault.open<SealedData>(vault.unwrap(row.id, row.wrapped_key), row.id, row.sealed);
        const columns = matchColumnsOf({
          ...data,
          birthDateQuality: row.birth_date_quality,
          estimatedAge: row.estimated_age,
          estimatedAgeOn: row.estimated_age_on,
          nationality: row.nationality,
          usualArea: row.usual_area,
        });
        // The trigger rewrites the person's rows of the key table. The keys go as JSON: a bound array
        // would be spread into a list.
        await this.execute(
          `update person set match_keys = array(select jsonb_array_elements_text(?::jsonb)), match_names = ?,
             birth_year = ? where id = ?`,
          [
          JSON.stringify(columns.matchKeys),
          columns.matchNames,
          columns.birthYear,
          row.id,
        ]);
      }
      await this.execute(`alter table person force row level security`);
    }
  };
}
