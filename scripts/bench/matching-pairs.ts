import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../../apps/people/src/config.js';
import { prepareDatabase } from '../../apps/people/src/database.js';
import {
  openCandidates,
  matchCandidatesSql,
  type CandidateRow,
} from '../../apps/people/src/matching/match.queries.js';
import {
  matchFindings,
  namesakeSimilarity,
  prepareForMatching,
  weighFindings,
  type MatchFindings,
  type MatchWeights,
} from '../../apps/people/src/matching/match-score.js';
import { matchColumnsOf, matchingMigrationSql } from '../../apps/people/src/matching/matching.schema.js';
import { createDatabase, dropDatabase, uniqueName } from '#testing';
import { developmentMasterKey, PersonVault, sealRow } from '../../apps/people/src/vault/person-vault.js';
import type { GeneratedRecord } from './matching-data.js';
import type { Origin } from './matching-names.js';

// The matching pipeline as the service runs it (candidate SQL, then the score), on a generated set
// in a fresh database migrated by the people app's own migrations; and the pair counts.

export type MatchingDatabase = { url: string; drop: () => Promise<void> };

export async function createMatchingDatabase(adminUrl: string): Promise<MatchingDatabase> {
  const url = await createDatabase(adminUrl, uniqueName('accanto_matching_'));
  await prepareDatabase(
    loadConfig({ DATABASE_URL: url, DATABASE_PROVISION: 'true', OIDC_ISSUER: 'http://127.0.0.1:1/unused' }),
  );
  // Idempotent: the columns exist once a migration carries them; before that, this adds them.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const statement of matchingMigrationSql()) await client.query(statement);
  await client.end();
  return { url, drop: () => dropDatabase(adminUrl, url) };
}

/** The development master key: the benchmark's records are synthetic. */
export const vault = new PersonVault(developmentMasterKey);

/** `?` placeholders (MikroORM's) to pg's `$n`; the matching SQL holds no literal question mark. */
export const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/**
 * Inserts the records as persons of their organisations (as the database owner, in batches of one
 * JSON parameter each) and a consent for a share of them; returns the person ids in record order.
 */
export async function insertPersons(
  client: pg.Client,
  records: GeneratedRecord[],
  options: { consentShare: number; random: () => number },
): Promise<string[]> {
  const ids = records.map(() => uuidv7());
  const now = new Date().toISOString();
  for (let start = 0; start < records.length; start += 2000) {
    const rows = records.slice(start, start + 2000).map((r, k) => {
      const p = r.person;
      const columns = matchColumnsOf(p);
      // Sealed as the app seals them (a data key each): opening them is part of a lookup's cost.
      const { sealed, wrappedKey } = sealRow(vault, ids[start + k], { ...p, aliases: [...p.aliases] });
      return {
        id: ids[start + k],
        owner_organisation: r.organisation,
        sealed,
        wrapped_key: wrappedKey.toString('base64'),
        name_quality: p.nameQuality,
        birth_date_quality: p.birthDateQuality,
        estimated_age: p.estimatedAge,
        estimated_age_on: p.estimatedAgeOn,
        nationality: p.nationality,
        usual_area: p.usualArea,
        search_text: columns.matchNames,
        match_names: columns.matchNames,
        match_keys: columns.matchKeys,
        birth_year: columns.birthYear,
      };
    });
    await client.query(
      `with rows as (select * from jsonb_to_recordset($1::jsonb) as r(id uuid, owner_organisation text,
         sealed text, wrapped_key text, name_quality text, birth_date_quality text, estimated_age int,
         estimated_age_on date, nationality text, usual_area text, search_text text, match_names text, match_keys text[],
         birth_year int)),
       persons as (
         insert into person (id, owner_organisation, sealed, name_quality, birth_date_quality, estimated_age,
           estimated_age_on, nationality, usual_area, search_text, match_names, match_keys, birth_year, created_by,
           created_at, updated_at)
         select id, owner_organisation, sealed, name_quality, birth_date_quality, estimated_age, estimated_age_on,
           nationality, usual_area, search_text, match_names, match_keys, birth_year, 'matching-bench', $2, $2 from rows
         returning id)
       insert into person_key (person_id, wrapped_key)
         select rows.id, decode(rows.wrapped_key, 'base64') from rows join persons using (id)`,
      [JSON.stringify(rows), now],
    );
  }
  const consented = ids.flatMap((id, i) =>
    options.random() < options.consentShare ? [[id, records[i]]] : [],
  );
  for (let start = 0; start < consented.length; start += 5000) {
    const rows = consented.slice(start, start + 5000).map(([id, r]) => ({
      id: uuidv7(),
      person_id: id,
      owner_organisation: (r as GeneratedRecord).organisation,
    }));
    await client.query(
      `insert into consent (id, person_id, owner_organisation, scope, organisations, purpose, lawful_basis, evidence,
         given_at, recorded_by, recorded_at)
       select id, person_id, owner_organisation, 'network', '{}', 'case-coordination', 'consent',
         '{"kind":"signed-form"}', $2, 'matching-bench', $2
       from jsonb_to_recordset($1::jsonb) as r(id uuid, person_id uuid, owner_organisation text)`,
      [JSON.stringify(rows), now],
    );
  }
  // As autovacuum leaves a settled registry: the key table's statistics decide how the lookup reads it.
  await client.query('vacuum analyze person, person_match_key');
  await client.query('analyze consent');
  return ids;
}

/** A pair as the lookup of one of its records found it; `namesakes` as scoreCandidates counts them. */
export type CandidatePair = { i: number; j: number; findings: MatchFindings; namesakes: number };

/**
 * Every record's candidates, looked up as the hub (which sees the whole network), each pair kept
 * once with what comparing found. Also how many candidates each lookup returned.
 */
export async function collectCandidatePairs(
  client: pg.Client,
  records: GeneratedRecord[],
  ids: string[],
): Promise<{ pairs: CandidatePair[]; candidatesPerLookup: number[] }> {
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const prepared = records.map((r) => prepareForMatching(r.person));
  const seen = new Set<string>();
  const pairs: CandidatePair[] = [];
  const candidatesPerLookup: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const { sql, params } = matchCandidatesSql(records[i].person, {
      visibility: { sql: 'true', params: [] },
      excludeIds: [ids[i]],
    });
    const rows = (await client.query<CandidateRow>(numbered(sql), params)).rows;
    candidatesPerLookup.push(rows.length);
    // Scored from the rows read back, as the service does: what the database returns is compared.
    const found = openCandidates(vault, rows).map((candidate) => ({
      j: indexOf.get(candidate.id)!,
      findings: matchFindings(prepared[i], candidate),
    }));
    // As scoreCandidates counts them: the query's count, or those among the candidates if more.
    const namesakes = Math.max(
      rows[0]?.namesakes ?? 0,
      found.filter(
        (f) => f.findings.names.coverage !== 'none' && f.findings.names.similarity >= namesakeSimilarity,
      ).length,
    );
    for (const { j, findings } of found) {
      const key = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push({ i: Math.min(i, j), j: Math.max(i, j), findings, namesakes });
    }
  }
  return { pairs, candidatesPerLookup };
}

export type PairKind = 'full names' | 'partial name' | 'street name only';
export type PairCounts = {
  truePairs: number;
  /** True pairs the candidate query returned, whatever their score: the ceiling of recall. */
  candidates: number;
  proposed: number;
  truePositives: number;
  precision: number;
  recall: number;
};

export function pairKind(a: GeneratedRecord, b: GeneratedRecord): PairKind {
  const named = (r: GeneratedRecord) => r.person.givenName !== null || r.person.familyName !== null;
  const full = (r: GeneratedRecord) => r.person.givenName !== null && r.person.familyName !== null;
  if (!named(a) || !named(b)) return 'street name only';
  return full(a) && full(b) ? 'full names' : 'partial name';
}

export function counts(
  truePairs: number,
  candidates: number,
  proposed: number,
  truePositives: number,
): PairCounts {
  return {
    truePairs,
    candidates,
    proposed,
    truePositives,
    precision: proposed === 0 ? 1 : truePositives / proposed,
    recall: truePairs === 0 ? 1 : truePositives / truePairs,
  };
}

/** All pairs of records of one human: the ground truth. */
export function truePairsOf(records: GeneratedRecord[]): Array<[number, number]> {
  const byCluster = new Map<number, number[]>();
  records.forEach((r, i) => byCluster.set(r.clusterId, [...(byCluster.get(r.clusterId) ?? []), i]));
  const pairs: Array<[number, number]> = [];
  for (const members of byCluster.values())
    for (let a = 0; a < members.length; a++)
      for (let b = a + 1; b < members.length; b++) pairs.push([members[a], members[b]]);
  return pairs;
}

export type PairEvaluation = {
  overall: PairCounts;
  byOrigin: Record<string, PairCounts>;
  byKind: Record<string, PairCounts>;
  /** Share of the true pairs that the candidate query returned at all, whatever their score. */
  candidateRecall: number;
  missed: CandidatePair[];
  falsePositives: CandidatePair[];
};

/** Precision and recall of the proposed pairs (candidates scoring at least `threshold`). */
export function evaluatePairs(
  records: GeneratedRecord[],
  pairs: CandidatePair[],
  weights: MatchWeights,
  threshold: number,
): PairEvaluation {
  const truth = truePairsOf(records);
  const found = new Map(pairs.map((p) => [`${p.i}:${p.j}`, p]));
  const proposed = pairs.filter((p) => weighFindings(p.findings, weights, p.namesakes).score >= threshold);
  const same = (p: { i: number; j: number }) => records[p.i].clusterId === records[p.j].clusterId;
  const group = <K extends string>(keyOf: (i: number, j: number) => K) => {
    const tally = new Map<
      K,
      { truePairs: number; candidates: number; proposed: number; truePositives: number }
    >();
    const at = (k: K) =>
      tally.get(k) ?? tally.set(k, { truePairs: 0, candidates: 0, proposed: 0, truePositives: 0 }).get(k)!;
    for (const [i, j] of truth) {
      at(keyOf(i, j)).truePairs++;
      if (found.has(`${i}:${j}`)) at(keyOf(i, j)).candidates++;
    }
    for (const p of proposed) {
      at(keyOf(p.i, p.j)).proposed++;
      if (same(p)) at(keyOf(p.i, p.j)).truePositives++;
    }
    return Object.fromEntries(
      [...tally].sort().map(([k, t]) => [k, counts(t.truePairs, t.candidates, t.proposed, t.truePositives)]),
    ) as Record<K, PairCounts>;
  };
  const originOf = (i: number, j: number): Origin | 'mixed' =>
    records[i].origin === records[j].origin ? records[i].origin : 'mixed';
  const truePositives = proposed.filter(same).length;
  const candidates = truth.filter(([i, j]) => found.has(`${i}:${j}`)).length;
  const proposedKeys = new Set(proposed.map((p) => `${p.i}:${p.j}`));
  return {
    overall: counts(truth.length, candidates, proposed.length, truePositives),
    byOrigin: group(originOf),
    byKind: group((i, j) => pairKind(records[i], records[j])),
    candidateRecall: candidates / Math.max(1, truth.length),
    missed: truth
      .filter(([i, j]) => !proposedKeys.has(`${i}:${j}`))
      .map(
        ([i, j]) =>
          found.get(`${i}:${j}`) ?? {
            i,
            j,
            findings: matchFindings(records[i].person, records[j].person),
            namesakes: 1,
          },
      ),
    falsePositives: proposed.filter((p) => !same(p)),
  };
}

/** A pair in one line, for reading what went wrong. */
export function describePair(records: GeneratedRecord[], pair: CandidatePair, weights: MatchWeights): string {
  const show = (r: GeneratedRecord) => {
    const p = r.person;
    const birth = p.birthDate ?? (p.estimatedAge === null ? '-' : `~${p.estimatedAge}`);
    const aliases = p.aliases.length ? ` «${p.aliases.map((a) => a.name).join(', ')}»` : '';
    return `${p.givenName ?? '-'} / ${p.familyName ?? '-'}${aliases} ${birth} ${p.nationality ?? '-'}`;
  };
  const score = weighFindings(pair.findings, weights, pair.namesakes).score.toFixed(2);
  const errors = [...new Set([...records[pair.i].errors, ...records[pair.j].errors])].join('; ');
  return `${score}  ${show(records[pair.i])}  ~  ${show(records[pair.j])}${errors ? `  [${errors}]` : ''}`;
}
