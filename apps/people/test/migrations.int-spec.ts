import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, dropDatabase } from '#testing';
import { loadConfig, type PeopleConfig } from '../src/config.js';
import { prepareDatabase } from '../src/database.js';
import { matchColumnsOf } from '../src/matching/matching.schema.js';
import { developmentMasterKey, PersonVault, sealRow } from '../src/vault/person-vault.js';
import { aMatchPerson } from './match-person.js';

// Migrations that compute derived columns from the sealed data of records written before them: a
// database at the migration before is filled as an earlier version wrote it, then migrated.

const adminUrl = process.env.DATABASE_URL!;
const vault = new PersonVault(developmentMasterKey);
let url: string;
let config: PeopleConfig;
let owner: pg.Client;

beforeEach(async () => {
  url = await createDatabase(adminUrl);
  config = loadConfig({
    DATABASE_URL: url,
    DATABASE_PROVISION: 'true',
    OIDC_ISSUER: 'http://127.0.0.1:1/unused',
  });
  owner = new pg.Client({ connectionString: url });
});
afterEach(async () => {
  await owner.end();
  await dropDatabase(adminUrl, url);
});

/** A person as the schema after people-0007 holds one, with no derived keys; returns the id. */
async function insertSealed(person: ReturnType<typeof aMatchPerson>): Promise<string> {
  const id = uuidv7();
  const { sealed, wrappedKey } = sealRow(vault, id, { ...person, aliases: [...person.aliases] });
  await owner.query(
    `insert into person (id, owner_organisation, name_quality, sealed, birth_date_quality, nationality,
       usual_area, search_text, match_names, match_keys, created_by, created_at, updated_at)
     values ($1, 'partner-05', 'partial', $2, $3, $4, $5, '', '', '{}', 'test', now(), now())`,
    [id, sealed, person.birthDateQuality, person.nationality, person.usualArea],
  );
  await owner.query('insert into person_key (person_id, wrapped_key) values ($1, $2)', [id, wrappedKey]);
  return id;
}

describe('people-0008: keys for records holding one name', () => {
  it('given records written before it, then their keys are computed again from their sealed names', async () => {
    await prepareDatabase(config, 'people-0007');
    await owner.connect();
    const person = aMatchPerson({ familyName: null, usualArea: 'stazione-centrale' });
    const id = await insertSealed(person);

    await prepareDatabase(config);

    const expected = matchColumnsOf(person).matchKeys;
    expect(expected.some((k) => k.startsWith('n:'))).toBe(true);
    const row = await owner.query('select match_keys, birth_year from person where id = $1', [id]);
    expect(row.rows[0]).toEqual({ match_keys: expected, birth_year: 1988 });
    const keys = await owner.query('select key from person_match_key where person_id = $1 order by key', [
      id,
    ]);
    expect(keys.rows.map((r) => r.key)).toEqual(expected);
  });
});

describe('people-0009: network cards', () => {
  it('given records and consents written before it, then aliases are folded for cards and consents share the record', async () => {
    await prepareDatabase(config, 'people-0008');
    await owner.connect();
    const id = await insertSealed(aMatchPerson({ aliases: [{ name: 'Il Rossò', kind: 'street-name' }] }));
    await owner.query(
      `insert into consent (id, person_id, owner_organisation, scope, organisations, purpose, lawful_basis,
         evidence, given_at, recorded_by, recorded_at)
       values ($1, $2, 'partner-05', 'network', '{}', 'case-coordination', 'consent', '{"kind":"signed-form"}',
         now(), 'test', now())`,
      [uuidv7(), id],
    );

    await prepareDatabase(config);

    expect((await owner.query('select card_aliases from person where id = $1', [id])).rows).toEqual([
      { card_aliases: ['il rosso'] },
    ]);
    expect((await owner.query('select shares from consent where person_id = $1', [id])).rows).toEqual([
      { shares: 'record' },
    ]);
  });
});

describe('people-0011: French spellings in the phonetic key', () => {
  it('given records keyed before it, then their keys are those of the current rules', async () => {
    await prepareDatabase(config, 'people-0010');
    await owner.connect();
    const person = aMatchPerson({ givenName: 'Redouane', familyName: 'Alaoui', nationality: 'MA' });
    const id = await insertSealed(person);

    await prepareDatabase(config);

    const expected = matchColumnsOf(person).matchKeys;
    // The pair of name sounds is the English spelling's too.
    const english = matchColumnsOf({ ...person, givenName: 'Redwan', familyName: 'Alawi' }).matchKeys;
    expect(expected.filter((k) => k.startsWith('p:') && english.includes(k))).not.toEqual([]);
    const row = await owner.query('select match_keys from person where id = $1', [id]);
    expect(row.rows[0].match_keys).toEqual(expected);
  });
});

describe('people-0012: more known name groups, keyed by name', () => {
  it('given a record keyed before it, then it shares a key with the full form of its short name', async () => {
    await prepareDatabase(config, 'people-0011');
    await owner.connect();
    const person = aMatchPerson({ givenName: 'Mitică', familyName: 'Stoica', nationality: 'RO' });
    const id = await insertSealed(person);

    await prepareDatabase(config);

    const row = await owner.query('select match_keys from person where id = $1', [id]);
    expect(row.rows[0].match_keys).toEqual(matchColumnsOf(person).matchKeys);
    const full = matchColumnsOf({ ...person, givenName: 'Dumitru' }).matchKeys;
    expect(
      row.rows[0].match_keys.filter((k: string) => k.includes('=dumitru') && full.includes(k)),
    ).not.toEqual([]);
  });
});
