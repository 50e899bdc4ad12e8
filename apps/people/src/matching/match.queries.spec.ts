import { describe, expect, it } from '@jest/globals';
import { developmentMasterKey, PersonVault } from '../vault/person-vault.js';
import { matchCandidatesSql, openCandidates, type CandidateRow } from './match.queries.js';
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
      matchKeys,
      namesakeKeysOf(person),
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
  it('given a row, then its sealed fields open with the person’s key into what matching compares', () => {
    const vault = new PersonVault(developmentMasterKey);
    const id = '01936b2e-0000-7000-8000-000000000001';
    const { key, wrapped } = vault.newKey(id);
    const sealed = vault.seal(key, id, {
      givenName: 'Mamadu',
      familyName: 'Jallo',
      codeName: null,
      description: null,
      aliases: [{ name: 'Baffo', kind: 'street-name' }],
      birthDate: '1988-06-01',
      gender: 'M',
      needs: [],
    });
    const row: CandidateRow = {
      id,
      owner_organisation: 'casa-della-carita',
      sealed,
      wrapped_key: wrapped,
      birth_date_quality: 'full',
      estimated_age: null,
      estimated_age_on: null,
      nationality: 'SN',
      usual_area: 'stazione-centrale',
      name_similarity: 0.3,
      shared_keys: 4,
      namesakes: 2,
    };
    expect(openCandidates(vault, [row])).toEqual([
      {
        id,
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
        usualArea: 'stazione-centrale',
      },
    ]);
  });
});
