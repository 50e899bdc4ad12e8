import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { newId, owner, startOutings, users, type Outings } from './outings-app.js';

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
    expect(full.body.areas).toContainEqual({
      area: 'cadorna',
      district: 1,
      organisation: 'casa-della-carita',
      observed: 3,
      interviewed: 1,
    });

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

  it('keeps an area to the team that counted it; that team corrects it with If-Match', async () => {
    const { id, etag } = await prepare('2027-summer', ['duomo']);
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
});
