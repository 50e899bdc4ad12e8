import { describe, expect, it } from '@jest/globals';
import { candidateOf, matchCandidatesSql, type CandidateRow } from './match.queries.js';
import { matchColumnsOf, namesakeKeysOf } from './matching.schema.js';
import { aMatchPerson } from '../../test/match-person.js';

const person = aMatchPerson();

describe('the candidate query', () => {
  it('given a visibility predicate, then its parameters sit where its placeholders do', () => {
    const { sql, params } = matchCandidatesSql(person, {
      visibility: {
        sql: 'person.owner_organisation = ? or person.owner_organisation = ?',
        params: ['a', 'b'],
      },
      excludeIds: ['00000000-0000-7000-8000-000000000001'],
      limit: 20,
    });
    expect(sql.split('?').length - 1).toBe(params.length);
    const { matchKeys, matchNames } = matchColumnsOf(person);
    expect(params).toEqual([
      matchNames,
      namesakeKeysOf(person),
      matchKeys,
      ['00000000-0000-7000-8000-000000000001'],
      'a',
      'b',
      20,
    ]);
  });

  it('given any asker, then restricted records are excluded', () => {
    expect(matchCandidatesSql(person, { visibility: { sql: 'true', params: [] } }).sql).toContain(
      'person.restricted = false',
    );
  });

  it('given no ids to exclude and no limit, then neither placeholder is there and the limit is 50', () => {
    const { params } = matchCandidatesSql(person, { visibility: { sql: 'true', params: [] } });
    expect(params).toHaveLength(4);
    expect(params.at(-1)).toBe(50);
  });
});

describe('a candidate row', () => {
  it('given a row, then it reads back as the person matching compares', () => {
    const row: CandidateRow = {
      id: 'p1',
      owner_organisation: 'casa-della-carita',
      given_name: 'Mamadu',
      family_name: 'Jallo',
      aliases: [{ name: 'Baffo', kind: 'street-name' }],
      birth_date: '1988-06-01',
      birth_date_quality: 'full',
      estimated_age: null,
      estimated_age_on: null,
      nationality: 'SN',
      gender: 'M',
      name_similarity: 0.3,
      shared_keys: 4,
      namesakes: 2,
    };
    expect(candidateOf(row)).toEqual({
      id: 'p1',
      ownerOrganisation: 'casa-della-carita',
      givenName: 'Mamadu',
      familyName: 'Jallo',
      aliases: [{ name: 'Baffo', kind: 'street-name' }],
      birthDate: '1988-06-01',
      birthDateQuality: 'full',
      estimatedAge: null,
      estimatedAgeOn: null,
      nationality: 'SN',
      gender: 'M',
    });
  });
});
