import { Migration } from '@mikro-orm/migrations';
import type { SealedData } from '../persons/person.entity.js';
import type { CandidateRow } from '../matching/match.queries.js';
import { matchColumnsOf } from '../matching/matching.schema.js';
import type { PersonVault } from '../vault/person-vault.js';

type Execute = (sql: string, params?: unknown[]) => Promise<unknown>;
type Row = Pick<
  CandidateRow,
  'id' | 'sealed' | 'wrapped_key' | 'birth_date_quality' | 'estimated_age' | 'estimated_age_on' | 'nationality' | 'usual_area'
>;

/**
 * Computes every record's matching columns again from its sealed names, for a migration that changes
 * how they are derived (matching.schema.ts, match-names.ts). Run as the database owner; the trigger
 * rewrites each person's rows of the key table.
 */
export async function rewriteMatchColumns(execute: Execute, vault: PersonVault): Promise<void> {
  // Row-level security is forced on the owner too: lift it for this step.
  await execute(`alter table person no force row level security`);
  const rows = (await execute(
    `select person.id, person.sealed, person_key.wrapped_key, person.birth_date_quality, person.estimated_age,
       person.estimated_age_on::text as estimated_age_on, person.nationality, person.usual_area
     from person join person_key on person_key.person_id = person.id
     where person.forgotten_at is null and person_key.wrapped_key is not null`,
  )) as Row[];
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
    // The keys go as JSON: a bound array would be spread into a list.
    await execute(
      `update person set match_keys = array(select jsonb_array_elements_text(?::jsonb)), match_names = ?,
         birth_year = ? where id = ?`,
      [JSON.stringify(columns.matchKeys), columns.matchNames, columns.birthYear, row.id],
    );
  }
  await execute(`alter table person force row level security`);
}

/** A migration that only computes the matching columns again: the rules that derive them changed. */
export function recomputingMatchColumns(vault: PersonVault) {
  return class extends Migration {
    override async up(): Promise<void> {
      await rewriteMatchColumns((sql, params) => this.execute(sql, params), vault);
    }
  };
}
