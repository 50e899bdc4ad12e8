import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { urlFor } from '#persistence';
import { createDatabase, dropDatabase } from '#testing';
import { loadConfig } from '../src/config.js';
import { prepareDatabase } from '../src/database.js';
import {
  matchCandidatesSql,
  type CandidateRow,
  type CandidateVisibility,
} from '../src/matching/match.queries.js';
import type { MatchPerson } from '../src/matching/match-score.js';
import { matchColumnsOf, matchingMigrationSql } from '../src/matching/matching.schema.js';
import { developmentMasterKey, PersonVault, sealRow } from '../src/vault/person-vault.js';
import { aMatchPerson } from './match-person.js';

// The candidate lookup against the people app's own schema, as `people_app` under row-level
// security: what it finds, what it never returns, and that it finds it through an index.

const adminUrl = process.env.DATABASE_URL!;
let databaseUrl: string;
let owner: pg.Client;
let app: pg.Client;

const aPerson = aMatchPerson;
const vault = new PersonVault(developmentMasterKey);

/** Inserts as the owner (row-level security does not stand in the way of setting up) and returns the id. */
async function insert(person: MatchPerson, organisation: string, extra: { restricted?: boolean } = {}) {
  const id = uuidv7();
  const columns = matchColumnsOf(person);
  const { sealed, wrappedKey } = sealRow(vault, id, { ...person, aliases: [...person.aliases] });
  await owner.query(
    `insert into person (id, owner_organisation, name_quality, sealed, birth_date_quality, estimated_age,
       estimated_age_on, nationality, search_text, restricted, match_names, match_keys, birth_year,
       created_by, created_at, updated_at)
     values ($1, $2, 'full', $3, $4, $5, $6, $7, $8, $9, $8, $10, $11, 'test', now(), now())`,
    [
      id,
      organisation,
      sealed,
      person.birthDateQuality,
      person.estimatedAge,
      person.estimatedAgeOn,
      person.nationality,
      columns.matchNames,
      extra.restricted ?? false,
      columns.matchKeys,
      columns.birthYear,
    ],
  );
  await owner.query('insert into person_key (person_id, wrapped_key) values ($1, $2)', [id, wrappedKey]);
  return id;
}

/**
 * A made-up word, letters only, to keep one test's names apart from another's in the shared database.
 * Digits would not do: matching reads them as spaces, so "Ba3f2a" is the words "ba", "f" and "a".
 */
const uniqueWord = () =>
  Array.from(randomBytes(5), (byte) => 'bdfgklmnprstvz'[byte % 14] + 'aeiou'[(byte >> 4) % 5]).join('');

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Looks candidates up as `people_app` for an organisation and roles, in one transaction. */
async function candidates(
  person: MatchPerson,
  asWho: { organisation: string; roles: string },
  visibility: CandidateVisibility,
  excludeIds: string[] = [],
  explain = false,
): Promise<CandidateRow[]> {
  const { sql, params } = matchCandidatesSql(person, { visibility, excludeIds });
  await app.query('begin');
  try {
    await app.query(
      `select set_config('accanto.organisation', $1, true), set_config('accanto.roles', $2, true)`,
      [asWho.organisation, asWho.roles],
    );
    // A handful of rows makes any plan cheap: ask whether an index path exists at all.
    if (explain) await app.query('set local enable_seqscan = off');
    return (await app.query<CandidateRow>(`${explain ? 'explain ' : ''}${numbered(sql)}`, params)).rows;
  } finally {
    await app.query('commit');
  }
}

const hub = { organisation: 'centro-sammartini', roles: 'hub' };
const everyone: CandidateVisibility = { sql: 'true', params: [] };
const ownOnly = (organisation: string): CandidateVisibility => ({
  sql: 'person.owner_organisation = ?',
  params: [organisation],
});
const idsOf = (rows: CandidateRow[]) => rows.map((r) => r.id).sort();

beforeAll(async () => {
  databaseUrl = await createDatabase(adminUrl);
  await prepareDatabase(
    loadConfig({
      DATABASE_URL: databaseUrl,
      DATABASE_PROVISION: 'true',
      OIDC_ISSUER: 'http://127.0.0.1:1/unused',
    }),
  );
  owner = new pg.Client({ connectionString: databaseUrl });
  await owner.connect();
  // Run again over the migrated schema: a later migration may carry the same statements.
  for (const statement of matchingMigrationSql()) await owner.query(statement);
  app = new pg.Client({
    connectionString: urlFor(databaseUrl, { name: 'people_app', password: 'accanto-dev' }),
  });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  await owner?.end();
  await dropDatabase(adminUrl, databaseUrl);
});

describe('finding candidates', () => {
  it('given one person registered by two partners in other spellings, when the hub looks, then it finds the other record and not the record itself', async () => {
    const family = `Diallo ${uniqueWord()}`;
    const first = await insert(aPerson({ familyName: family }), 'partner-04');
    const second = await insert(
      aPerson({
        givenName: 'Mamadu',
        familyName: family.replace('Diallo', 'Jallo'),
        birthDate: null,
        birthDateQuality: 'unknown',
      }),
      'partner-05',
    );
    const found = await candidates(aPerson({ familyName: family }), hub, everyone, [first]);
    expect(idsOf(found)).toContain(second);
    expect(idsOf(found)).not.toContain(first);
  });

  it('given a restricted record that resembles, when anyone looks, then it is never a candidate', async () => {
    const name = aPerson({ givenName: 'Ousmane', familyName: `Sow ${uniqueWord()}` });
    const restricted = await insert(name, 'partner-04', { restricted: true });
    const open = await insert(name, 'partner-05');
    expect(idsOf(await candidates(name, hub, everyone))).toEqual([open]);
    // Not even its owner, asking with a predicate that would admit it: a resemblance must not show it.
    expect(
      idsOf(await candidates(name, { organisation: 'partner-04', roles: 'operator' }, ownOnly('partner-04'))),
    ).not.toContain(restricted);
  });

  it('given a partner, when it looks, then it finds candidates only among the records it may see', async () => {
    const name = aPerson({ givenName: 'Cheikh', familyName: `Ndiaye ${uniqueWord()}` });
    const own = await insert(name, 'partner-06');
    const others = await insert(name, 'partner-07');
    const partner = { organisation: 'partner-06', roles: 'operator' };
    // Row-level security alone already hides the other partner's record from people_app...
    expect(idsOf(await candidates(name, partner, everyone))).toEqual([own]);
    // ...and the visibility hook narrows what the service asks for.
    expect(idsOf(await candidates(name, partner, ownOnly('partner-06')))).toEqual([own]);
    expect(idsOf(await candidates(name, hub, everyone))).toEqual([own, others].sort());
  });

  it('given a record whose name is corrected, then its old keys no longer find it and the new ones do', async () => {
    const before = aPerson({ givenName: 'Babacar', familyName: `Faye ${uniqueWord()}` });
    const corrected = () => aPerson({ givenName: 'Issa', familyName: `Kane ${uniqueWord()}` });
    // A corrected name sharing no key with the old one: a made-up word may still sound like another.
    const oldKeys = new Set(matchColumnsOf(before).matchKeys);
    let after = corrected();
    while (matchColumnsOf(after).matchKeys.some((key) => oldKeys.has(key))) after = corrected();
    const id = await insert(before, 'partner-08');
    const columns = matchColumnsOf(after);
    await owner.query('update person set match_names = $2, match_keys = $3 where id = $1', [
      id,
      columns.matchNames,
      columns.matchKeys,
    ]);
    expect(idsOf(await candidates(before, hub, everyone))).not.toContain(id);
    expect(idsOf(await candidates(after, hub, everyone))).toContain(id);
    const keys = await owner.query<{ key: string }>(
      'select key from person_match_key where person_id = $1 order by key',
      [id],
    );
    expect(keys.rows.map((r) => r.key)).toEqual(columns.matchKeys);
  });

  it('given many namesakes, then the most alike come first and the count covers those past the limit', async () => {
    const family = `Sarr ${uniqueWord()}`;
    const looked = aPerson({ givenName: 'Moussa', familyName: family, nationality: 'SN' });
    for (let n = 0; n < 6; n++) await insert({ ...looked, birthDate: `19${70 + n}-02-03` }, 'partner-09');
    const same = await insert(looked, 'partner-10');
    const { sql, params } = matchCandidatesSql(looked, { visibility: everyone, limit: 3 });
    await app.query('begin');
    await app.query(
      `select set_config('accanto.organisation', 'centro-sammartini', true), set_config('accanto.roles', 'hub', true)`,
    );
    const rows = (await app.query<CandidateRow>(numbered(sql), params)).rows;
    await app.query('commit');
    expect(rows).toHaveLength(3);
    expect(rows[0].id).toBe(same);
    expect(rows.every((r) => r.namesakes === 7)).toBe(true);
  });

  it('given a forgotten record that resembles, when the hub looks, then it is no candidate', async () => {
    const looked = aPerson({ givenName: 'Ali', familyName: `Ba ${uniqueWord()}` });
    const kept = await insert(looked, 'partner-11');
    const forgotten = await insert(looked, 'partner-12');
    await owner.query(`update person set forgotten_at = now() where id = $1`, [forgotten]);
    await owner.query(`update person_key set wrapped_key = null, destroyed_at = now() where person_id = $1`, [
      forgotten,
    ]);
    expect(idsOf(await candidates(looked, hub, everyone))).toEqual([kept]);
  });

  it('given row-level security, then the lookup still reaches person through an index, not by reading every row', async () => {
    const plan = (await candidates(aPerson(), hub, everyone, [], true)) as unknown as Array<{
      'QUERY PLAN': string;
    }>;
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).not.toMatch(/Seq Scan on person\b/);
    expect(text).toMatch(/Index Scan using person_pkey on person/);
  });
});
