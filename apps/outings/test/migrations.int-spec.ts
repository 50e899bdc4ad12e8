import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, dropDatabase } from '#testing';
import { loadConfig, type OutingsConfig } from '../src/config.js';
import { prepareDatabase } from '../src/database.js';

// Migrations that change data written before them: a database at the migration before is filled as
// an earlier version wrote it, then migrated.

const adminUrl = process.env.DATABASE_URL!;
let url: string;
let config: OutingsConfig;
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

describe('outings-0008: the count by sex, age band and bedded down', () => {
  it('given tallies recorded before it, then their people are of unknown sex and age, bedded down not recorded', async () => {
    await prepareDatabase(config, 'outings-0007');
    await owner.connect();
    const campaign = uuidv7();
    await owner.query(
      `insert into count_campaign (id, edition, night, status, areas, created_by, created_at, updated_at)
       values ($1, '2026-winter', '2026-01-20', 'active', '{duomo,cadorna}', 'test', now(), now())`,
      [campaign],
    );
    await owner.query(
      `insert into count_tally (campaign_id, area, organisation, observed, interviewed, recorded_by, recorded_at)
       values ($1, 'duomo', 'cri-milano', 12, 5, 'test', now()), ($1, 'cadorna', 'partner-05', 0, 0, 'test', now())`,
      [campaign],
    );

    await prepareDatabase(config);

    const rows = await owner.query(
      'select area, by_sex, by_age_band, bedded_down from count_tally where campaign_id = $1 order by area',
      [campaign],
    );
    expect(rows.rows).toEqual([
      { area: 'cadorna', by_sex: { unknown: 0 }, by_age_band: { unknown: 0 }, bedded_down: null },
      { area: 'duomo', by_sex: { unknown: 12 }, by_age_band: { unknown: 12 }, bedded_down: null },
    ]);
    const breakdown = await owner.query('select * from count_breakdown($1) order by dimension, category', [
      campaign,
    ]);
    expect(breakdown.rows).toEqual([
      { dimension: 'age', category: 'unknown', people: '12' },
      { dimension: 'bedded-down', category: 'areas-not-recorded', people: '2' },
      { dimension: 'bedded-down', category: 'recorded', people: null },
      { dimension: 'sex', category: 'unknown', people: '12' },
    ]);
  });
});
