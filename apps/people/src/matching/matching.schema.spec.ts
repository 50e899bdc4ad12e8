import { describe, expect, it } from '@jest/globals';
import type { MatchPerson } from './match-score.js';
import { matchColumnsOf, matchingMigrationSql, namesakeKeysOf } from './matching.schema.js';
import { aMatchPerson } from '../../test/match-person.js';

const person = aMatchPerson;
const shareAKey = (a: MatchPerson, b: MatchPerson) => {
  const keys = new Set(matchColumnsOf(a).matchKeys);
  return matchColumnsOf(b).matchKeys.some((k) => keys.has(k));
};

describe('the matching columns of a person', () => {
  it('given a person, then the names are folded and the birth year kept', () => {
    const columns = matchColumnsOf(
      person({
        givenName: 'Ionuț',
        familyName: 'Popescu',
        aliases: [{ name: 'il Rosso', kind: 'street-name' }],
      }),
    );
    expect(columns.matchNames).toBe('ionut popescu rosso');
    expect(columns.birthYear).toBe(1988);
  });

  it('given an estimated age with its date, then the birth year is estimated from it', () => {
    const columns = matchColumnsOf(
      person({
        birthDate: null,
        birthDateQuality: 'unknown',
        estimatedAge: 40,
        estimatedAgeOn: '2026-03-01',
      }),
    );
    expect(columns.birthYear).toBe(1986);
  });

  it('given the same person, then the keys are the same, sorted and without repeats', () => {
    const { matchKeys } = matchColumnsOf(person());
    expect(matchKeys).toEqual(matchColumnsOf(person()).matchKeys);
    expect(matchKeys).toEqual([...new Set(matchKeys)].sort());
  });

  it('given spellings, swaps and slips a person registered twice shows, then the records share a key', () => {
    expect(shareAKey(person(), person({ givenName: 'Mamadu', familyName: 'Jallo' }))).toBe(true);
    expect(shareAKey(person(), person({ givenName: 'Diallo', familyName: 'Mamadou' }))).toBe(true);
    expect(
      shareAKey(person(), person({ familyName: 'Dialo', birthDate: null, birthDateQuality: 'unknown' })),
    ).toBe(true);
    expect(shareAKey(person(), person({ givenName: 'Mmadou', familyName: 'Djalo' }))).toBe(true);
  });

  it('given a name known in another language, then the records share a key', () => {
    const a = person({ givenName: 'Youssef', familyName: 'Benali', nationality: 'MA' });
    expect(shareAKey(a, { ...a, givenName: 'Giuseppe' })).toBe(true);
  });

  it('given a given name only with the birth date, then it meets the full record', () => {
    expect(shareAKey(person(), person({ familyName: null }))).toBe(true);
  });

  it('given a given name only with the street name, then it meets the full record that has it', () => {
    const a = person({ aliases: [{ name: 'Maradona', kind: 'street-name' }] });
    const b = person({
      familyName: null,
      birthDate: null,
      birthDateQuality: 'unknown',
      aliases: [{ name: 'maradona', kind: 'street-name' }],
    });
    expect(shareAKey(a, b)).toBe(true);
  });

  it('given a given name only with a guessed age, then it meets the full record born within three years', () => {
    const guessed = (age: number) =>
      person({
        familyName: null,
        birthDate: null,
        birthDateQuality: 'unknown',
        estimatedAge: age,
        estimatedAgeOn: '2026-03-01',
      });
    // The full record was born in 1988; the guesses put the birth in 1985, then in 1992.
    expect(shareAKey(person(), guessed(41))).toBe(true);
    expect(shareAKey(person(), guessed(34))).toBe(false);
    expect(shareAKey(guessed(40), { ...guessed(45), givenName: 'Mamadu' })).toBe(true);
  });

  it('given a given name only with no birth, then it meets the full record of the same usual area only', () => {
    const partial = (usualArea: string) =>
      person({ familyName: null, birthDate: null, birthDateQuality: 'unknown', usualArea });
    const full = person({ birthDate: null, birthDateQuality: 'unknown', usualArea: 'stazione-centrale' });
    expect(shareAKey(full, partial('stazione-centrale'))).toBe(true);
    expect(shareAKey(full, partial('porta-garibaldi'))).toBe(false);
  });

  it('given different people, then they share no key', () => {
    expect(shareAKey(person(), person({ givenName: 'Ionuț', familyName: 'Popescu' }))).toBe(false);
  });

  it('given many aliases, then the keys stay bounded', () => {
    const aliases = Array.from({ length: 20 }, (_, i) => ({
      name: `Alias${i} Name${i}`,
      kind: 'alias' as const,
    }));
    expect(matchColumnsOf(person({ aliases })).matchKeys.length).toBeLessThan(200);
  });
});

describe('the matching migration', () => {
  it('is idempotent statement by statement, so a later migration can run it again', () => {
    const statements = matchingMigrationSql();
    statements.forEach((statement, i) => {
      const created = /^create (function|trigger) (\w+)/.exec(statement);
      if (created)
        expect(statements[i - 1]).toMatch(new RegExp(`^drop ${created[1]} if exists ${created[2]}`));
      else
        expect(statement).toMatch(
          /if not exists|create or replace|^drop \w+ if exists|on conflict do nothing/,
        );
    });
  });
});

describe('the keys of namesakes', () => {
  it('given a full name, then the keys are its given and family names by sound', () => {
    expect(namesakeKeysOf(person())).toEqual(
      namesakeKeysOf(person({ givenName: 'Mamadu', familyName: 'Jallo' })),
    );
    expect(namesakeKeysOf(person())).toHaveLength(1);
  });

  it('given a given name only, then the key is the name with the birth year; without a year, none', () => {
    expect(namesakeKeysOf(person({ familyName: null }))[0]).toMatch(/:1988$/);
    expect(
      namesakeKeysOf(person({ familyName: null, birthDate: null, birthDateQuality: 'unknown' })),
    ).toEqual([]);
  });

  it('given a person, then the namesake keys are among the keys its record carries', () => {
    const { matchKeys } = matchColumnsOf(person());
    expect(namesakeKeysOf(person()).every((k) => matchKeys.includes(k))).toBe(true);
  });
});
