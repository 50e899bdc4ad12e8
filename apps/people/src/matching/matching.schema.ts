import { aliasText, nameTokens, phoneticKey } from './match-names.js';
import type { MatchPerson } from './match-score.js';

// What the person table holds so that candidates are found without scoring every record: blocking
// keys (any shared key makes a candidate) and the folded names for trigram similarity.
// See docs/adr/0007-person-matching.md.

/** Values of the matching columns of one person record, computed when it is written. */
export type MatchColumns = {
  /** Folded name, family name and alias tokens, space-separated: trigram similarity ranks candidates. */
  matchNames: string;
  /** Blocking keys; two records sharing one are compared. */
  matchKeys: string[];
  /** Exact, approximate or estimated, for ordering candidates; null when unknown. */
  birthYear: number | null;
};

// Enough for any real name; bounds the number of keys a record with many aliases makes.
const maxTokens = 6;
const maxAliases = 4;

function birthYearOf(p: MatchPerson): { year: number; estimated: boolean } | null {
  if (p.birthDate !== null && ['full', 'approximate'].includes(p.birthDateQuality)) {
    return { year: Number(p.birthDate.slice(0, 4)), estimated: p.birthDateQuality === 'approximate' };
  }
  if (p.estimatedAge !== null && p.estimatedAgeOn !== null) {
    return { year: Number(p.estimatedAgeOn.slice(0, 4)) - p.estimatedAge, estimated: true };
  }
  return null;
}

export function matchColumnsOf(p: MatchPerson): MatchColumns {
  const names = [...nameTokens(p.givenName), ...nameTokens(p.familyName)].slice(0, maxTokens);
  const aliases = p.aliases
    .map((a) => aliasText(a.name))
    .filter((a) => a.length > 1)
    .slice(0, maxAliases);
  const keys = new Set<string>();
  const pair = (prefix: string, x: string, y: string) => {
    if (x !== y) keys.add(`${prefix}:${[x, y].sort().join('|')}`);
  };
  const sounds = names.filter((t) => t.length > 1).map(phoneticKey);
  const tokens = [...sounds, ...aliases.map(phoneticKey)];
  // Any two names or street names, in either order: swapped names and "given name + street name"
  // records still meet the full record.
  for (let i = 0; i < tokens.length; i++)
    for (let j = i + 1; j < tokens.length; j++) pair('p', tokens[i], tokens[j]);
  // A typo changes the sound of a name but seldom its first three letters.
  const starts = names.filter((t) => t.length > 2).map((t) => t.slice(0, 3));
  for (let i = 0; i < starts.length; i++)
    for (let j = i + 1; j < starts.length; j++) pair('q', starts[i], starts[j]);
  for (const alias of aliases) keys.add(`a:${phoneticKey(alias)}`);
  // One name and the birth year: finds the record that holds only a given name, or a misspelt other.
  const birth = birthYearOf(p);
  if (birth !== null && !birth.estimated) for (const sound of sounds) keys.add(`y:${sound}:${birth.year}`);
  return {
    matchNames: [...names, ...aliases].join(' '),
    matchKeys: [...keys].sort(),
    birthYear: birth?.year ?? null,
  };
}

/**
 * Statements adding the matching columns and their indexes to `person`; idempotent, so they can be
 * run again by a later migration. Existing rows need `matchColumnsOf` filled in afterwards.
 */
export function matchingMigrationSql(): string[] {
  return [
    `create extension if not exists pg_trgm`,
    `alter table person add column if not exists match_names text not null default ''`,
    `alter table person add column if not exists match_keys text[] not null default '{}'`,
    `alter table person add column if not exists birth_year integer`,
    `create index if not exists person_match_keys_idx on person using gin (match_keys)`,
    `create index if not exists person_match_names_trgm on person using gin (match_names gin_trgm_ops)`,
  ];
}
