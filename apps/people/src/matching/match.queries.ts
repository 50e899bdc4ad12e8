import type { SealedData } from '../persons/person.entity.js';
import type { PersonVault } from '../vault/person-vault.js';
import type { MatchPerson } from './match-score.js';
import { matchColumnsOf, namesakeKeysOf } from './matching.schema.js';

// Candidates of one record: the persons sharing a blocking key with it that the asking actor may
// see; at most `limit`, the most similar names first. Scoring them is match-score.ts's work, in the
// service. See docs/adr/0007-person-matching.md.

/**
 * A predicate over the `person` table with its own positional `?` parameters: which records the
 * actor may see (person.queries.ts has the same rules for listing). `{ sql: 'true', params: [] }`
 * for the hub, which reviews candidates across the network.
 */
export type CandidateVisibility = { sql: string; params: unknown[] };

export type CandidateQueryOptions = {
  visibility: CandidateVisibility;
  /** The record itself, and the records already linked to it, are no candidates. */
  excludeIds?: string[];
  /** Default 50: enough for the most common names; the score then keeps only the likely ones. */
  limit?: number;
};

/**
 * Columns a candidate row carries: the id, the owner, and what `matchScore` compares — the names and
 * birth date sealed with the person's data key (opened by `openCandidates`), the rest in clear.
 */
export type CandidateRow = {
  id: string;
  owner_organisation: string;
  sealed: string;
  wrapped_key: Buffer;
  birth_date_quality: MatchPerson['birthDateQuality'];
  estimated_age: number | null;
  estimated_age_on: string | null;
  nationality: string | null;
  usual_area: string | null;
  name_similarity: number;
  /** How many blocking keys the candidate shares with the record looked up. */
  shared_keys: number;
  /**
   * Visible records (candidates or not, beyond the limit too) whose names sound exactly like the
   * record's: how common the name is among what the asker sees. The same on every row.
   */
  namesakes: number;
};

export type Candidate = MatchPerson & { id: string; ownerOrganisation: string };

/**
 * The SQL and `?` parameters finding the candidates of `person`. Records flagged restricted are never
 * candidates, whoever asks: not even their existence may show through a resemblance.
 */
export function matchCandidatesSql(
  person: MatchPerson,
  options: CandidateQueryOptions,
): { sql: string; params: unknown[] } {
  const { matchKeys, matchNames } = matchColumnsOf(person);
  // Positional `?` placeholders: every fragment is built in the order it appears in the SQL.
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return '?';
  };
  const similarity = `similarity(person.match_names, ${p(matchNames)})`;
  // The key table is read by a security-definer function (see matching.schema.ts); the join back to
  // `person` is where row-level security and the visibility predicate apply. Namesakes are counted
  // over every visible row the keys found, before the limit: the window sees them all.
  const from = `person_match_candidates(${p(matchKeys)}::text[], ${p(namesakeKeysOf(person))}::text[]) as found
    join person on person.id = found.person_id`;
  const where = ['person.restricted = false', 'person.forgotten_at is null'];
  if (options.excludeIds?.length) where.push(`person.id <> all(${p(options.excludeIds)}::uuid[])`);
  where.push(`(${options.visibility.sql})`);
  params.push(...options.visibility.params);
  // The most keys shared first: a duplicate with another spelling shares more than a namesake does.
  // Data keys are joined to the few rows kept, not to all found: person_key's policy is the
  // person's, checked again per row (forgetting a person sets forgotten_at with the key destroyed).
  const order = 'shared_keys desc, name_similarity desc, id';
  const sql = `select found.*, person_key.wrapped_key from (
      select person.id, person.owner_organisation, person.sealed, person.birth_date_quality, person.estimated_age,
        person.estimated_age_on::text as estimated_age_on, person.nationality, person.usual_area,
        ${similarity} as name_similarity, found.shared as shared_keys,
        (sum(found.namesake::int) over ())::int as namesakes
      from ${from}
      where ${where.join(' and ')}
      order by ${order}
      limit ${p(options.limit ?? 50)}
    ) as found join person_key on person_key.person_id = found.id and person_key.wrapped_key is not null
    order by ${order}`;
  return { sql, params };
}

/** The candidates of rows, their sealed names and birth dates opened with each person's data key. */
export function openCandidates(vault: PersonVault, rows: CandidateRow[]): Candidate[] {
  return rows.map((row) => {
    const data = vault.open<SealedData>(vault.unwrap(row.id, row.wrapped_key), row.id, row.sealed);
    return {
      id: row.id,
      ownerOrganisation: row.owner_organisation,
      givenName: data.givenName,
      familyName: data.familyName,
      aliases: data.aliases,
      birthDate: data.birthDate,
      birthDateQuality: row.birth_date_quality,
      estimatedAge: row.estimated_age,
      estimatedAgeOn: row.estimated_age_on,
      nationality: row.nationality,
      gender: data.gender,
      usualArea: row.usual_area,
    };
  });
}
