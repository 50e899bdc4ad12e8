import {
  aliasText,
  equivalenceClassesOf,
  nameTokens,
  phoneticKey,
  prefixVariants,
  withoutArticle,
} from './match-names.js';
import type { MatchPerson } from './match-score.js';

// What the database holds so that candidates are found without scoring every record: blocking keys
// (two records sharing one are compared) and the folded names that rank candidates.
// See docs/adr/0007-person-matching.md.

/** Values of the matching columns of one person record, computed whenever it is written. */
export type MatchColumns = {
  /** Folded given, family and street name tokens, space-separated: trigram similarity ranks candidates. */
  matchNames: string;
  /** Blocking keys; `person_match_key` mirrors them, one row each, for the lookup. */
  matchKeys: string[];
  /** Exact, approximate or estimated; null when unknown. */
  birthYear: number | null;
};

// Enough for any real name; bounds the number of keys a record with many aliases makes.
const maxTokens = 6;
const maxAliases = 4;

// How far a birth year may be off, by how it was learnt: an approximate date is within a year or so,
// an age guessed in the street within about three (match-score.ts's "compatible").
const yearSpread = { exact: 0, approximate: 1, estimated: 3 } as const;

function birthYearOf(p: MatchPerson): { year: number; kind: keyof typeof yearSpread } | null {
  if (p.birthDate !== null && ['full', 'approximate'].includes(p.birthDateQuality)) {
    return {
      year: Number(p.birthDate.slice(0, 4)),
      kind: p.birthDateQuality === 'approximate' ? 'approximate' : 'exact',
    };
  }
  if (p.estimatedAge !== null && p.estimatedAgeOn !== null) {
    return { year: Number(p.estimatedAgeOn.slice(0, 4)) - p.estimatedAge, kind: 'estimated' };
  }
  return null;
}

/** The years a birth may fall in: the year itself when exact, else the years around it. */
function birthYearsOf(p: MatchPerson): number[] {
  const birth = birthYearOf(p);
  if (birth === null) return [];
  const spread = yearSpread[birth.kind];
  return Array.from({ length: 2 * spread + 1 }, (_, k) => birth.year - spread + k);
}

export function matchColumnsOf(p: MatchPerson): MatchColumns {
  const names = [...nameTokens(p.givenName), ...nameTokens(p.familyName)].slice(0, maxTokens);
  const aliases = p.aliases
    .map((a) => aliasText(a.name))
    .filter((a) => a.length > 1)
    .slice(0, maxAliases);
  const keys = new Set<string>();
  const unordered = (prefix: string, x: string, y: string) => {
    if (x !== y) keys.add(`${prefix}:${[x, y].sort().join('|')}`);
  };
  const words = names.filter((t) => t.length > 1);
  // What a name may be met by: its sound, without an Arabic article, and any known equivalent name.
  const alternatives = (word: string) => [
    ...new Set([phoneticKey(word), phoneticKey(withoutArticle(word)), ...equivalenceClassesOf(word)]),
  ];
  const ways = [...words.map(alternatives), ...aliases.map((a) => [phoneticKey(a)])];
  // Any two names or street names by sound, in either order: spellings, swapped names, and the
  // "given name + street name" record meeting the full one.
  for (let i = 0; i < ways.length; i++)
    for (let j = i + 1; j < ways.length; j++)
      for (const x of ways[i]) for (const y of ways[j]) unordered('p', x, y);
  for (let i = 0; i < words.length; i++)
    for (let j = 0; j < words.length; j++) {
      if (i === j) continue;
      // A slip changes the sound of one name: that name is then met by its first letters...
      for (const x of ways[i]) for (const start of prefixVariants(words[j])) keys.add(`r:${x}|${start}`);
      // ...or by the first letter of its sound, which a slip after the first letter leaves alone.
      for (const x of ways[i]) keys.add(`i:${x}|${phoneticKey(words[j])[0]}`);
    }
  // Another spelling of one name and a slip in the other: both met by their first letters.
  for (let i = 0; i < words.length; i++)
    for (let j = i + 1; j < words.length; j++) unordered('q', words[i].slice(0, 3), words[j].slice(0, 3));
  for (const alias of aliases) keys.add(`a:${phoneticKey(alias)}`);
  // A record holding one name ("Omar, about 26") shares no pair of names with the full record; what
  // it does share is one name with the birth year, any of the years an approximate date or a guessed
  // age allows (two uncertain records meet when their ranges overlap), or with the usual area, for
  // the record that has no birth at all. Both sides carry these keys, so either finds the other.
  const single = ways.slice(0, words.length);
  for (const year of birthYearsOf(p))
    for (const way of single) for (const x of way) keys.add(`y:${x}:${year}`);
  if (p.usualArea !== null) for (const way of single) for (const x of way) keys.add(`n:${x}:${p.usualArea}`);
  return {
    matchNames: [...names, ...aliases].join(' '),
    matchKeys: [...keys].sort(),
    birthYear: birthYearOf(p)?.year ?? null,
  };
}

/**
 * Keys that records bearing the same name as `p` carry: given and family names by sound, or for a
 * single name, that name with the birth year. Counting them tells how common the name is.
 */
export function namesakeKeysOf(p: MatchPerson): string[] {
  const words = [...nameTokens(p.givenName), ...nameTokens(p.familyName)].filter((t) => t.length > 1);
  const sounds = [...new Set(words.map(phoneticKey))];
  if (sounds.length > 1) {
    return sounds.flatMap((x, i) => sounds.slice(i + 1).map((y) => `p:${[x, y].sort().join('|')}`));
  }
  const birth = birthYearOf(p);
  return sounds.length === 1 && birth !== null ? [`y:${sounds[0]}:${birth.year}`] : [];
}

/**
 * Statements adding the matching columns to `person`, the key table and what keeps it in step;
 * idempotent, so a later migration may run them again. Existing rows need `matchColumnsOf` written
 * (an update of `match_keys` fills their keys in).
 *
 * Why a key table: under row-level security PostgreSQL uses an index only with leakproof operators
 * (`=` on text or uuid), not GIN's `&&` nor pg_trgm's `%`, so a lookup in `person` itself as
 * `people_app` scans every row. `person_match_key` has no row-level security and no grant to the
 * app: only `person_match_candidates` (security definer) reads it, and it returns ids alone, which
 * the candidate query then joins to `person` under row-level security.
 */
export function matchingMigrationSql(): string[] {
  return [
    `create extension if not exists pg_trgm`,
    `alter table person add column if not exists match_names text not null default ''`,
    `alter table person add column if not exists match_keys text[] not null default '{}'`,
    `alter table person add column if not exists birth_year integer`,
    `create table if not exists person_match_key (
       key text not null,
       person_id uuid not null references person (id) on delete cascade,
       primary key (key, person_id)
     )`,
    `create index if not exists person_match_key_person_idx on person_match_key (person_id)`,
    `create or replace function person_match_key_sync() returns trigger
       language plpgsql security definer set search_path = public, pg_temp as $$
     begin
       if tg_op = 'UPDATE' then
         if new.match_keys is not distinct from old.match_keys then return new; end if;
         delete from person_match_key where person_id = old.id;
       end if;
       insert into person_match_key (key, person_id)
         select distinct k, new.id from unnest(new.match_keys) as k on conflict do nothing;
       return new;
     end $$`,
    `drop trigger if exists person_match_key_sync on person`,
    `create trigger person_match_key_sync after insert or update of match_keys on person
       for each row execute function person_match_key_sync()`,
    `drop function if exists person_match_candidates(text[])`,
    `drop function if exists person_match_candidates(text[], text[])`,
    // Whether each record found is a namesake comes from the key rows already read: testing
    // `person.match_keys` instead reads every found row's array again (a third of the lookup).
    `create function person_match_candidates(keys text[], namesake_keys text[])
       returns table (person_id uuid, shared integer, namesake boolean)
       language sql stable security definer set search_path = public, pg_temp rows 200 as $$
       select k.person_id, count(*)::integer, bool_or(k.key = any(namesake_keys))
         from person_match_key k where k.key = any(keys) group by k.person_id
     $$`,
    `insert into person_match_key (key, person_id)
       select distinct k, person.id from person, unnest(person.match_keys) as k on conflict do nothing`,
  ];
}
