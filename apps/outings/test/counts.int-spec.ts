import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually } from '#testing';
import { aTeam, newId, owner, startOutings, users, type Outings } from './outings-app.js';

// The point-in-time count (racCONTAMI): the lead body prepares and opens it, teams of partners tally
// their areas, the lead locks it. Partners see results by Municipio with small cells hidden.
describe('point-in-time count', () => {
  let outings: Outings;
  beforeAll(async () => {
    outings = await startOutings();
  });
  afterAll(async () => outings?.close());

  const prepare = async (edition: string, areas: string[]) => {
    const id = newId();
    const prepared = await outings.call(users.lead, 'PUT', `/outings/counts/${id}`, {
      edition,
      night: '2027-01-20',
      areas,
    });
    expect(prepared.status).toBe(201);
    return { id, etag: prepared.headers.get('etag')! };
  };
  const status = (id: string, to: string, etag: string) =>
    outings.call(users.lead, 'POST', `/outings/counts/${id}/status`, { status: to }, { 'if-match': etag });
  const tally = (
    user: string,
    id: string,
    area: string,
    observed: number,
    interviewed: number,
    etag?: string,
  ) =>
    outings.call(
      user,
      'PUT',
      `/outings/counts/${id}/tallies/${area}`,
      { observed, interviewed },
      etag ? { 'if-match': etag } : {},
    );

  it('is prepared, opened, tallied area by area and locked, with results for each audience', async () => {
    const { id, etag } = await prepare('2027-winter', [
      'duomo',
      'cadorna',
      'stazione-centrale',
      'loreto',
      'bovisa',
    ]);
    await outings.teamFor(users.ownerCoordinator, id, ['duomo', 'stazione-centrale', 'bovisa']);
    await outings.teamFor(users.otherCoordinator, id, ['cadorna', 'loreto']);
    expect((await tally(users.owner, id, 'duomo', 12, 5)).status).toBe(409);
    const active = await status(id, 'active', etag);
    expect(active.body.status).toBe('active');

    expect((await tally(users.owner, id, 'duomo', 12, 5)).status).toBe(201);
    expect((await tally(users.other, id, 'cadorna', 3, 1)).status).toBe(201);
    expect((await tally(users.owner, id, 'stazione-centrale', 30, 10)).status).toBe(201);
    expect((await tally(users.other, id, 'loreto', 2, 0)).status).toBe(201);
    expect((await tally(users.owner, id, 'bovisa', 4, 2)).status).toBe(201);

    const full = await outings.call(users.lead, 'GET', `/outings/counts/${id}/results`);
    expect(full.body.total).toEqual({ observed: 51, interviewed: 18, areasCounted: 5 });
    expect(full.body.districts).toEqual([
      { district: 1, observed: 15, interviewed: 6, suppressed: false },
      { district: 2, observed: 32, interviewed: 10, suppressed: false },
      { district: 9, observed: 4, interviewed: 2, suppressed: false },
    ]);
    expect(full.body.areas).toContainEqual(
      expect.objectContaining({
        area: 'cadorna',
        district: 1,
        organisation: 'casa-della-carita',
        observed: 3,
      }),
    );

    // Municipio 9 has four people: hidden, and Municipio 1 with it, or the total would tell.
    const partner = await outings.call(users.other, 'GET', `/outings/counts/${id}/results`);
    expect(partner.body.total).toEqual(full.body.total);
    expect(partner.body.areas).toBeNull();
    expect(partner.body.districts).toEqual([
      { district: 1, observed: null, interviewed: null, suppressed: true },
      { district: 2, observed: 32, interviewed: 10, suppressed: false },
      { district: 9, observed: null, interviewed: null, suppressed: true },
    ]);

    const locked = await status(id, 'locked', active.headers.get('etag')!);
    expect(locked.body.status).toBe('locked');
    expect((await tally(users.owner, id, 'duomo', 13, 5, '"1"')).status).toBe(409);
    const lockedEvent = await eventually(() => {
      const found = outings
        .eventsOfType('outings.count-locked')
        .find((e) => (e.data.payload as { campaignId: string }).campaignId === id);
      expect(found).toBeDefined();
      return found!;
    });
    expect(lockedEvent.data.payload).toEqual({
      campaignId: id,
      edition: '2027-winter',
      night: '2027-01-20',
      areasCounted: 5,
      observed: 51,
      interviewed: 18,
    });
    const tallies = outings
      .eventsOfType('outings.count-tally-recorded')
      .filter((e) => (e.data.payload as { campaignId: string }).campaignId === id);
    expect(tallies).toHaveLength(5);
    expect(
      tallies.find((e) => (e.data.payload as { area: string }).area === 'cadorna')?.data.organisation,
    ).toBe('casa-della-carita');
  });

  it('keeps an area to the team sent there; that team corrects its tally with If-Match', async () => {
    const { id, etag } = await prepare('2027-summer', ['duomo']);
    await outings.teamFor(users.ownerCoordinator, id, ['duomo']);
    await status(id, 'active', etag);
    const first = await tally(users.owner, id, 'duomo', 7, 3);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ organisation: owner, version: 1 });
    expect((await tally(users.other, id, 'duomo', 9, 3)).status).toBe(409);
    expect((await tally(users.owner, id, 'duomo', 7, 3)).status).toBe(200);
    expect((await tally(users.owner, id, 'duomo', 8, 3)).status).toBe(428);
    const corrected = await tally(users.owner, id, 'duomo', 8, 3, first.headers.get('etag')!);
    expect(corrected.body).toMatchObject({ observed: 8, version: 2 });
    expect((await tally(users.owner, id, 'duomo', 9, 3, first.headers.get('etag')!)).status).toBe(412);
  });

  it('moves forward only, one edition at a time', async () => {
    const { id, etag } = await prepare('2028-winter', ['duomo']);
    expect((await status(id, 'locked', etag)).status).toBe(409);
    const again = await outings.call(users.lead, 'PUT', `/outings/counts/${newId()}`, {
      edition: '2028-winter',
      night: '2028-01-20',
      areas: ['duomo'],
    });
    expect(again.status).toBe(409);
  });

  it('sends teams of at least three volunteers to areas, one team per area, names only to their own and the lead', async () => {
    const { id, etag } = await prepare('2029-summer', ['duomo', 'cadorna', 'loreto', 'bovisa']);
    const teamId = newId();
    const formed = await outings.call(
      users.ownerCoordinator,
      'PUT',
      `/outings/counts/${id}/teams/${teamId}`,
      aTeam(['duomo', 'cadorna']),
    );
    expect(formed.status).toBe(201);
    expect(formed.body).toMatchObject({
      organisation: owner,
      volunteerCount: 3,
      areas: ['duomo', 'cadorna'],
    });
    // The same team again changes nothing; another organisation cannot take its areas.
    const again = await outings.call(
      users.ownerCoordinator,
      'PUT',
      `/outings/counts/${id}/teams/${teamId}`,
      aTeam(['duomo', 'cadorna']),
    );
    expect(again.status).toBe(200);
    const rival = await outings.call(
      users.otherCoordinator,
      'PUT',
      `/outings/counts/${id}/teams/${newId()}`,
      aTeam(['cadorna', 'loreto']),
    );
    expect(rival.status).toBe(409);
    // Another organisation's team is not one to change.
    expect(
      (
        await outings.call(
          users.otherCoordinator,
          'PUT',
          `/outings/counts/${id}/teams/${teamId}`,
          aTeam(['loreto']),
        )
      ).status,
    ).toBe(404);
    // A change needs If-Match, and gives the area it drops back.
    const changed = aTeam(['duomo'], { volunteers: ['Giulia R.', 'Marco B.', 'Aisha K.', 'Luca T.'] });
    const path = `/outings/counts/${id}/teams/${teamId}`;
    expect((await outings.call(users.ownerCoordinator, 'PUT', path, changed)).status).toBe(428);
    const updated = await outings.call(users.ownerCoordinator, 'PUT', path, changed, {
      'if-match': formed.headers.get('etag')!,
    });
    expect(updated.body).toMatchObject({ version: 2, volunteerCount: 4, areas: ['duomo'] });
    await outings.teamFor(users.otherCoordinator, id, ['cadorna', 'loreto']);

    const seenBy = async (user: string) =>
      (await outings.call(user, 'GET', `/outings/counts/${id}/teams`)).body.items.find(
        (t: { id: string }) => t.id === teamId,
      );
    expect((await seenBy(users.owner)).volunteers).toHaveLength(4);
    expect((await seenBy(users.lead)).volunteers).toHaveLength(4);
    for (const user of [users.other, users.hub, users.auditor]) {
      expect(await seenBy(user)).toMatchObject({ volunteers: null, volunteerCount: 4, areas: ['duomo'] });
    }

    // On the night an area is tallied by its team's organisation only; once counted it stays with it.
    const active = await status(id, 'active', etag);
    expect((await tally(users.other, id, 'duomo', 5, 2)).status).toBe(409);
    expect((await tally(users.owner, id, 'duomo', 5, 2)).status).toBe(201);
    const dropsCounted = await outings.call(users.ownerCoordinator, 'PUT', path, aTeam(['bovisa']), {
      'if-match': updated.headers.get('etag')!,
    });
    expect(dropsCounted.status).toBe(409);
    expect(dropsCounted.body.detail).toContain('duomo');
    await status(id, 'locked', active.headers.get('etag')!);
    const late = await outings.call(
      users.ownerCoordinator,
      'PUT',
      path,
      aTeam(['duomo'], { name: 'Altra' }),
      {
        'if-match': updated.headers.get('etag')!,
      },
    );
    expect(late.status).toBe(409);
  });

  it('breaks each tally down by sex, age band and bedded down, and the results add them up, small cells hidden from partners', async () => {
    const { id, etag } = await prepare('2030-winter', ['duomo', 'cadorna']);
    await outings.teamFor(users.ownerCoordinator, id, ['duomo']);
    await outings.teamFor(users.otherCoordinator, id, ['cadorna']);
    await status(id, 'active', etag);
    const duomo = await outings.call(users.owner, 'PUT', `/outings/counts/${id}/tallies/duomo`, {
      observed: 20,
      interviewed: 8,
      sex: { men: 16, women: 3, other: 1 },
      ageBands: { '25-34': 6, '35-44': 8, '45-54': 4, unknown: 2 },
      beddedDown: 12,
    });
    expect(duomo.status).toBe(201);
    expect(duomo.body).toMatchObject({
      sex: { men: 16, women: 3, other: 1, unknown: 0 },
      ageBands: { '0-17': 0, '25-34': 6, '35-44': 8, '45-54': 4, unknown: 2 },
      beddedDown: 12,
    });
    // A tally without a breakdown: its people are of unknown sex and age, bedded down not recorded.
    expect((await tally(users.other, id, 'cadorna', 10, 4)).status).toBe(201);

    const full = (await outings.call(users.lead, 'GET', `/outings/counts/${id}/results`)).body;
    expect(full.breakdown.sex).toEqual({ men: 16, women: 3, other: 1, unknown: 10 });
    expect(full.breakdown.ageBands).toMatchObject({ '25-34': 6, '35-44': 8, '45-54': 4, unknown: 12 });
    expect(full.breakdown.beddedDown).toEqual({ people: 12, areasNotRecorded: 1 });
    expect(full.areas.find((a: { area: string }) => a.area === 'cadorna')).toMatchObject({
      sex: { unknown: 10 },
      beddedDown: null,
    });
    // A tally from before the breakdown holds only its unknown people; results still show every category.
    const owner = new pg.Client({ connectionString: outings.databaseUrl });
    await owner.connect();
    try {
      await owner.query(
        `update count_tally set by_sex = '{"unknown": 10}', by_age_band = '{"unknown": 10}'
          where campaign_id = $1 and area = 'cadorna'`,
        [id],
      );
    } finally {
      await owner.end();
    }
    const older = (await outings.call(users.lead, 'GET', `/outings/counts/${id}/results`)).body;
    expect(older.areas.find((a: { area: string }) => a.area === 'cadorna')).toMatchObject({
      sex: { men: 0, women: 0, other: 0, unknown: 10 },
      ageBands: { '0-17': 0, '65+': 0, unknown: 10 },
    });
    const partner = (await outings.call(users.other, 'GET', `/outings/counts/${id}/results`)).body;
    // 3 women and 1 other are small: hidden, and nothing else needs to go with two hidden.
    expect(partner.breakdown.sex).toEqual({ men: 16, women: null, other: null, unknown: 10 });
    expect(partner.breakdown.beddedDown).toEqual({ people: 12, areasNotRecorded: 1 });
    expect(partner.areas).toBeNull();
  });

  it('holds a count at the scale of racCONTAMI: 150 areas, 2,343 people', async () => {
    // The City's 150 count areas, as its own migration would add them (the demo set has 19).
    const areas = Array.from({ length: 150 }, (_, i) => `racc-${String(i + 1).padStart(3, '0')}`);
    const owner = new pg.Client({ connectionString: outings.databaseUrl });
    await owner.connect();
    try {
      await owner.query(
        `insert into area (code, name, district, shape)
         select code, 'Area ' || code, 1 + (n % 9), '{"type":"Polygon","coordinates":[]}'::jsonb
           from unnest($1::text[]) with ordinality as a(code, n)`,
        [areas],
      );
    } finally {
      await owner.end();
    }
    const { id, etag } = await prepare('2031-winter', areas);
    // Ten teams of each of the two partners, hosting the volunteers of the night.
    for (let t = 0; t < 10; t++) {
      const share = areas.slice(t * 15, t * 15 + 15);
      await outings.teamFor(users.ownerCoordinator, id, share.slice(0, 8));
      await outings.teamFor(users.otherCoordinator, id, share.slice(8));
    }
    const active = await status(id, 'active', etag);
    // 2,343 people: 15 or 16 in each area, as the 2023-24 edition found them.
    let expected = 0;
    for (const [i, area] of areas.entries()) {
      const observed = i < 93 ? 16 : 15;
      expected += observed;
      const user = i % 15 < 8 ? users.owner : users.other;
      const sent = await outings.call(user, 'PUT', `/outings/counts/${id}/tallies/${area}`, {
        observed,
        interviewed: 5,
        sex: { men: observed - 4, women: 4 },
      });
      expect(sent.status).toBe(201);
    }
    expect(expected).toBe(2343);
    const results = (await outings.call(users.lead, 'GET', `/outings/counts/${id}/results`)).body;
    expect(results.total).toEqual({ observed: 2343, interviewed: 750, areasCounted: 150 });
    expect(results.breakdown.sex).toEqual({ men: 1743, women: 600, other: 0, unknown: 0 });
    expect(results.areas).toHaveLength(150);
    expect(results.districts.reduce((n: number, d: { observed: number }) => n + d.observed, 0)).toBe(2343);
    const locked = await status(id, 'locked', active.headers.get('etag')!);
    expect(locked.body.status).toBe('locked');
  });
});
