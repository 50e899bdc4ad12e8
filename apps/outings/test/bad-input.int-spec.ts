import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { badInputCases, notRefusedAsBadInput, sendBadInput } from '#testing';
import {
  aCompletion,
  aContact,
  anAlert,
  aPlan,
  aStart,
  aTeam as aTeamBody,
  aUnit,
  newId,
  startOutings,
  users,
  type Outings,
} from './outings-app.js';

// api.md: bad input gets a clear 4xx problem+json, and nothing is stored or published.
describe('bad input', () => {
  let outings: Outings;
  let db: pg.Client;
  let unitId: string;
  let plannedId: string;
  let underWayId: string;
  let out: { id: string; memberId: string };
  let alert: { id: string; etag: string };
  let countId: string;
  const counts = async () => {
    const { rows } = await db.query(
      `select (select count(*) from unit)::int as units, (select count(*) from outing)::int as outings,
              (select count(*) from contact)::int as contacts,
              (select count(*) from count_campaign)::int as counts, (select count(*) from count_tally)::int as tallies, (select count(*) from alert)::int as alerts,
              (select count(*) from count_team)::int as teams, (select count(*) from count_team_area)::int as team_areas,
              (select coalesce(max(version), 0) from alert)::int as latest_alert_version,
              (select count(*) from event_log)::int as events,
              (select coalesce(max(version), 0) from outing)::int as latest_version`,
    );
    return rows[0];
  };
  const etagOf = async (id: string) =>
    (await outings.call(users.owner, 'GET', `/outings/outings/${id}`)).headers.get('etag')!;

  beforeAll(async () => {
    outings = await startOutings();
    db = new pg.Client({ connectionString: outings.databaseUrl });
    await db.connect();
    unitId = await outings.unitOf(users.ownerCoordinator);
    plannedId = (await outings.plannedOuting(users.owner, users.ownerCoordinator)).id;
    const underWay = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    underWayId = underWay.id;
    await outings.call(users.owner, 'POST', `/outings/outings/${underWayId}/start`, aStart(), {
      'if-match': underWay.etag,
    });
    out = await outings.outingOut(users.owner, users.ownerCoordinator);
    const alertId = newId();
    const received = await outings.call(users.owner, 'PUT', `/outings/alerts/${alertId}`, anAlert());
    alert = { id: alertId, etag: received.headers.get('etag')! };
    countId = newId();
    const prepared = await outings.call(users.lead, 'PUT', `/outings/counts/${countId}`, {
      edition: '2027-winter',
      night: '2027-01-20',
      areas: ['duomo'],
    });
    await outings.teamFor(users.ownerCoordinator, countId, ['duomo']);
    await outings.call(
      users.lead,
      'POST',
      `/outings/counts/${countId}/status`,
      { status: 'active' },
      {
        'if-match': prepared.headers.get('etag')!,
      },
    );
  });
  afterAll(async () => {
    await db?.end();
    await outings?.close();
  });

  const plan = (overrides: Record<string, unknown>) => () =>
    outings.call(users.owner, 'PUT', `/outings/outings/${newId()}`, aPlan(unitId, overrides));
  const command =
    (which: () => string, name: string, body: unknown, headers?: Record<string, string>) => async () =>
      outings.call(
        users.owner,
        'POST',
        `/outings/outings/${which()}/${name}`,
        body,
        headers ?? { 'if-match': await etagOf(which()) },
      );
  const planned = () => plannedId;
  const underWay = () => underWayId;
  const get = (path: string) => () => outings.call(users.owner, 'GET', path);
  const contact = (overrides: Record<string, unknown>) => () =>
    outings.call(users.owner, 'PUT', `/outings/contacts/${newId()}`, aContact(out, overrides));
  const batch = (contacts: (o: { id: string; memberId: string }) => unknown[]) => () =>
    outings.call(users.owner, 'POST', '/outings/contacts/batch', { contacts: contacts(out) });
  const place = (overrides: Record<string, unknown>) => ({ area: 'duomo', ...overrides });
  const receive = (overrides: Record<string, unknown>) => () =>
    outings.call(users.owner, 'PUT', `/outings/alerts/${newId()}`, anAlert(overrides));
  const onAlert = (command: string, body: unknown) => () =>
    outings.call(users.owner, 'POST', `/outings/alerts/${alert.id}/${command}`, body, {
      'if-match': alert.etag,
    });
  const aCount = (overrides: Record<string, unknown>) => () =>
    outings.call(users.lead, 'PUT', `/outings/counts/${newId()}`, {
      edition: '2029-winter',
      night: '2029-01-20',
      areas: ['duomo'],
      ...overrides,
    });
  const aTeam = (overrides: Record<string, unknown>) => () =>
    outings.call(
      users.ownerCoordinator,
      'PUT',
      `/outings/counts/${countId}/teams/${newId()}`,
      aTeamBody(['duomo'], overrides),
    );
  const aTally = (area: string, body: unknown) => () =>
    outings.call(users.owner, 'PUT', `/outings/counts/${countId}/tallies/${area}`, body);
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();

  const cases: Array<{
    name: string;
    send: () => ReturnType<Outings['call']>;
    status: number;
    field?: string;
  }> = [
    {
      name: 'unit with an unknown field',
      send: () =>
        outings.call(users.ownerCoordinator, 'PUT', `/outings/units/${newId()}`, aUnit({ colour: 'red' })),
      status: 422,
      field: 'body',
    },
    {
      name: 'unit with an unknown specialisation',
      send: () =>
        outings.call(
          users.ownerCoordinator,
          'PUT',
          `/outings/units/${newId()}`,
          aUnit({ specialisation: 'legal' }),
        ),
      status: 422,
      field: 'body.specialisation',
    },
    {
      name: 'unit name too long',
      send: () =>
        outings.call(
          users.ownerCoordinator,
          'PUT',
          `/outings/units/${newId()}`,
          aUnit({ name: 'x'.repeat(101) }),
        ),
      status: 422,
      field: 'body.name',
    },
    {
      name: 'unit id that is not a UUIDv7',
      send: () => outings.call(users.ownerCoordinator, 'PUT', '/outings/units/42', aUnit()),
      status: 422,
      field: 'params.id',
    },
    {
      name: 'plan ending before it starts',
      send: plan({ plannedEnd: '2020-01-01T00:00:00Z' }),
      status: 422,
      field: 'body.plannedEnd',
    },
    {
      name: 'plan of a shift longer than sixteen hours',
      send: plan({ plannedStart: '2026-12-03T08:00:00+01:00', plannedEnd: '2026-12-04T08:00:00+01:00' }),
      status: 422,
      field: 'body.plannedEnd',
    },
    {
      name: 'plan time without an offset',
      send: plan({ plannedStart: '2026-12-03T21:00:00' }),
      status: 422,
      field: 'body.plannedStart',
    },
    {
      name: 'plan with an impossible time',
      send: plan({ plannedStart: '2026-13-40T25:00:00Z' }),
      status: 422,
      field: 'body.plannedStart',
    },
    { name: 'plan with no team', send: plan({ team: [] }), status: 422, field: 'body.team' },
    {
      name: 'team member named instead of an id',
      send: plan({
        team: [{ memberId: 'Mario Rossi', organisation: 'volontari-milano-aperta', volunteer: true }],
      }),
      status: 422,
      field: 'body.team.0.memberId',
    },
    {
      name: 'team member twice',
      send: (() => {
        const member = { memberId: newId(), organisation: 'volontari-milano-aperta', volunteer: true };
        return plan({ team: [member, member] });
      })(),
      status: 422,
      field: 'body.team',
    },
    {
      name: 'team of guests only',
      send: plan({ team: [{ memberId: newId(), organisation: 'partner-04', volunteer: true }] }),
      status: 422,
      field: 'body.team',
    },
    {
      name: 'plan naming an area the city does not have',
      send: plan({ areasPlanned: ['atlantide'] }),
      status: 422,
      field: 'body.areasPlanned',
    },
    {
      name: 'area code that is not a code',
      send: plan({ areasPlanned: ['Stazione Centrale'] }),
      status: 422,
      field: 'body.areasPlanned.0',
    },
    {
      name: 'negative supplies',
      send: plan({ suppliesLoaded: { meal: -1 } }),
      status: 422,
      field: 'body.suppliesLoaded.meal',
    },
    {
      name: 'unknown supply item',
      send: plan({ suppliesLoaded: { beer: 4 } }),
      status: 422,
      field: 'body.suppliesLoaded',
    },
    {
      name: 'plan on a unit that does not exist',
      send: plan({ unitId: newId() }),
      status: 422,
      field: 'body.unitId',
    },
    {
      name: 'start in the future',
      send: command(planned, 'start', aStart({ startedAt: inAnHour })),
      status: 422,
      field: 'body.startedAt',
    },
    { name: 'start without If-Match', send: command(planned, 'start', aStart(), {}), status: 428 },
    {
      name: 'start with a malformed If-Match',
      send: command(planned, 'start', aStart(), { 'if-match': 'yesterday' }),
      status: 412,
    },
    {
      name: 'start with a team of guests only',
      send: command(
        planned,
        'start',
        aStart({ team: [{ memberId: newId(), organisation: 'partner-04', volunteer: true }] }),
      ),
      status: 422,
      field: 'body.team',
    },
    {
      name: 'completion before the start',
      send: command(underWay, 'complete', aCompletion({ endedAt: '2020-01-01T00:00:00Z' })),
      status: 422,
      field: 'body.endedAt',
    },
    {
      name: 'more supplies left than loaded',
      send: command(underWay, 'complete', aCompletion({ suppliesLeft: { meal: 41, 'sleeping-bag': 1 } })),
      status: 422,
      field: 'body.suppliesLeft.meal',
    },
    {
      name: 'covering an unknown area',
      send: command(underWay, 'complete', aCompletion({ areasCovered: ['atlantide'] })),
      status: 422,
      field: 'body.areasCovered',
    },
    {
      name: 'cancelling for no known reason',
      send: command(planned, 'cancel', { reason: 'bored' }),
      status: 422,
      field: 'body.reason',
    },
    {
      name: 'command on an id that is not a UUIDv7',
      send: command(() => 'not-an-id', 'start', aStart(), { 'if-match': '"1"' }),
      status: 422,
      field: 'params.id',
    },
    {
      name: 'malformed JSON',
      send: () => outings.call(users.owner, 'PUT', `/outings/outings/${newId()}`, '{"unitId": '),
      status: 400,
    },
    {
      name: 'body too large',
      send: () =>
        outings.call(
          users.owner,
          'PUT',
          `/outings/outings/${newId()}`,
          JSON.stringify({ pad: 'x'.repeat(4_000_000) }),
        ),
      status: 413,
    },
    {
      name: 'list limit above the cap',
      send: get('/outings/outings?limit=1000'),
      status: 422,
      field: 'query.limit',
    },
    {
      name: 'unknown query parameter',
      send: get('/outings/outings?sort=night'),
      status: 422,
      field: 'query',
    },
    {
      name: 'forged cursor',
      send: get('/outings/outings?cursor=bm9wZQ'),
      status: 422,
      field: 'query.cursor',
    },
    {
      name: 'night that is not a date',
      send: get('/outings/outings?night=tonight'),
      status: 422,
      field: 'query.night',
    },
    { name: 'coverage without a night', send: get('/outings/coverage'), status: 422, field: 'query.night' },
    {
      name: 'contact with both a person id and a description',
      send: contact({ personId: newId() }),
      status: 422,
      field: 'body.personId',
    },
    {
      name: 'contact with neither a person id nor a description',
      send: contact({ anonymousDescription: null }),
      status: 422,
      field: 'body.personId',
    },
    {
      name: 'contact with one coordinate',
      send: contact({ place: place({ latitude: 45.46 }) }),
      status: 422,
      field: 'body.place.latitude',
    },
    {
      name: 'contact placed nowhere',
      send: contact({ place: { description: 'somewhere' } }),
      status: 422,
      field: 'body.place.area',
    },
    {
      name: 'contact in an area the city does not have',
      send: contact({ place: place({ area: 'atlantide' }) }),
      status: 422,
      field: 'body.place.area',
    },
    {
      name: 'latitude off the globe',
      send: contact({ place: place({ latitude: 91, longitude: 9 }) }),
      status: 422,
      field: 'body.place.latitude',
    },
    {
      name: 'unknown service',
      send: contact({ services: { massage: 1 } }),
      status: 422,
      field: 'body.services',
    },
    {
      name: 'service given zero times',
      send: contact({ services: { meal: 0 } }),
      status: 422,
      field: 'body.services.meal',
    },
    {
      name: 'referral twice',
      send: contact({ referrals: ['hub', 'hub'] }),
      status: 422,
      field: 'body.referrals',
    },
    {
      name: 'unknown living situation',
      send: contact({ livingSituation: 'castle' }),
      status: 422,
      field: 'body.livingSituation',
    },
    {
      name: 'contact in the future',
      send: contact({ occurredAt: inAnHour }),
      status: 422,
      field: 'body.occurredAt',
    },
    {
      name: 'contact description too long',
      send: contact({ anonymousDescription: 'x'.repeat(301) }),
      status: 422,
      field: 'body.anonymousDescription',
    },
    // A malformed batch as a whole is refused with nothing stored; a bad contact in a well-formed
    // batch is answered per item (contacts.int-spec.ts).
    { name: 'empty batch', send: batch(() => []), status: 422, field: 'body.contacts' },
    {
      name: 'batch of 501',
      send: batch((o) => Array.from({ length: 501 }, () => ({ id: newId(), ...aContact(o) }))),
      status: 422,
      field: 'body.contacts',
    },
    {
      name: 'batch with one id twice',
      send: batch((o) => {
        const id = newId();
        return [
          { id, ...aContact(o) },
          { id, ...aContact(o) },
        ];
      }),
      status: 422,
      field: 'body.contacts',
    },
    {
      name: 'batch item without an id',
      send: batch((o) => [{ id: newId(), ...aContact(o) }, aContact(o)]),
      status: 422,
      field: 'body.contacts.1.id',
    },
    {
      name: 'batch item that is not an object',
      send: batch((o) => [{ id: newId(), ...aContact(o) }, 'contact']),
      status: 422,
      field: 'body.contacts.1',
    },
    {
      name: 'batch with an unknown top-level field',
      send: () =>
        outings.call(users.owner, 'POST', '/outings/contacts/batch', {
          contacts: [{ id: newId(), ...aContact(out) }],
          device: 'tablet-3',
        }),
      status: 422,
      field: 'body',
    },
    {
      name: 'batch that is not an object',
      send: () =>
        outings.call(users.owner, 'POST', '/outings/contacts/batch', [{ id: newId(), ...aContact(out) }]),
      status: 422,
      field: 'body',
    },
    {
      name: 'alert received in the future',
      send: receive({ receivedAt: inAnHour }),
      status: 422,
      field: 'body.receivedAt',
    },
    {
      name: 'alert from an unknown source',
      send: receive({ source: 'pigeon' }),
      status: 422,
      field: 'body.source',
    },
    {
      name: 'alert without a description',
      send: receive({ description: '  ' }),
      status: 422,
      field: 'body.description',
    },
    {
      name: 'alert description too long',
      send: receive({ description: 'x'.repeat(501) }),
      status: 422,
      field: 'body.description',
    },
    { name: 'alert placed nowhere', send: receive({ place: {} }), status: 422, field: 'body.place.area' },
    {
      name: 'alert in an unknown area',
      send: receive({ place: { area: 'atlantide' } }),
      status: 422,
      field: 'body.place.area',
    },
    {
      name: 'alert sent to a unit that does not exist',
      send: onAlert('assign', { unitId: newId() }),
      status: 422,
      field: 'body.unitId',
    },
    {
      name: 'alert closed before it came in',
      send: onAlert('close', { outcome: 'helped', closedAt: '2020-01-01T00:00:00Z' }),
      status: 422,
      field: 'body.closedAt',
    },
    {
      name: 'alert closed with an unknown outcome',
      send: onAlert('close', { outcome: 'solved', closedAt: new Date().toISOString() }),
      status: 422,
      field: 'body.outcome',
    },
    {
      name: 'alert change without If-Match',
      send: () => outings.call(users.owner, 'POST', `/outings/alerts/${alert.id}/assign`, { unitId }),
      status: 428,
    },
    {
      name: 'count edition not in the form 2026-winter',
      send: aCount({ edition: 'winter' }),
      status: 422,
      field: 'body.edition',
    },
    {
      name: 'count over an area the city does not have',
      send: aCount({ areas: ['atlantide'] }),
      status: 422,
      field: 'body.areas',
    },
    { name: 'count over no area', send: aCount({ areas: [] }), status: 422, field: 'body.areas' },
    {
      name: 'count night that is not a date',
      send: aCount({ night: '20 Jan' }),
      status: 422,
      field: 'body.night',
    },
    {
      name: 'tally with more interviewed than observed',
      send: aTally('duomo', { observed: 3, interviewed: 4 }),
      status: 422,
      field: 'body.interviewed',
    },
    {
      name: 'tally below zero',
      send: aTally('duomo', { observed: -1, interviewed: 0 }),
      status: 422,
      field: 'body.observed',
    },
    {
      name: 'tally whose people by sex do not add up to those observed',
      send: aTally('duomo', { observed: 3, interviewed: 1, sex: { men: 1, women: 1 } }),
      status: 422,
      field: 'body.sex',
    },
    {
      name: 'tally with an age band that does not exist',
      send: aTally('duomo', { observed: 3, interviewed: 1, ageBands: { '10-20': 3 } }),
      status: 422,
      field: 'body.ageBands',
    },
    {
      name: 'tally with more bedded down than observed',
      send: aTally('duomo', { observed: 3, interviewed: 1, beddedDown: 4 }),
      status: 422,
      field: 'body.beddedDown',
    },
    {
      name: 'team of two volunteers',
      send: aTeam({ volunteers: ['Giulia R.', 'Marco B.'] }),
      status: 422,
      field: 'body.volunteers',
    },
    {
      name: 'team sent to an area outside the count',
      send: aTeam({ areas: ['bovisa'] }),
      status: 422,
      field: 'body.areas.0',
    },
    {
      name: 'team with an unknown field',
      send: aTeam({ vehicle: 'van' }),
      status: 422,
      field: 'body',
    },
    {
      name: 'tally of an area outside the count',
      send: aTally('bovisa', { observed: 3, interviewed: 1 }),
      status: 422,
      field: 'params.area',
    },
    {
      name: 'count status that does not exist',
      send: () =>
        outings.call(
          users.lead,
          'POST',
          `/outings/counts/${countId}/status`,
          { status: 'done' },
          { 'if-match': '"2"' },
        ),
      status: 422,
      field: 'body.status',
    },
    {
      name: 'district outside 1–9',
      send: get('/outings/areas?district=10'),
      status: 422,
      field: 'query.district',
    },
  ];

  it.each(cases)('$name → problem+json, nothing stored or published', async ({ send, status, field }) => {
    const before = await counts();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    if (field) {
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: expect.stringContaining(field), rule: expect.any(String) }),
        ]),
      );
    }
    expect(await counts()).toEqual(before);
  });

  it('every operation answers a malformed id, body or query value with a 4xx problem, and nothing is stored or logged', async () => {
    const cases = await badInputCases(outings.url, 'outings');
    // Every operation that takes an id, a body or a bounded query value: the document, not a chosen few.
    expect(new Set(cases.map((c) => c.operation)).size).toBe(29);
    const before = await counts();
    const outcomes = await sendBadInput(
      cases,
      [users.owner, users.ownerCoordinator, users.hub, users.lead, users.auditor],
      outings.call,
    );
    expect(notRefusedAsBadInput(outcomes)).toEqual([]);
    expect(await counts()).toEqual(before);
  });
  it('an unknown area or unit answers 404', async () => {
    expect((await outings.call(users.owner, 'GET', '/outings/areas/atlantide')).status).toBe(404);
    expect((await outings.call(users.owner, 'GET', `/outings/units/${newId()}`)).status).toBe(404);
    expect((await outings.call(users.owner, 'GET', `/outings/outings/${newId()}`)).status).toBe(404);
  });

  it('a repeated plan that differs needs If-Match (428) and changes nothing', async () => {
    const before = await counts();
    const response = await outings.call(
      users.owner,
      'PUT',
      `/outings/outings/${plannedId}`,
      aPlan(unitId, { areasPlanned: ['duomo'] }),
    );
    expect(response.status).toBe(428);
    expect(await counts()).toEqual(before);
  });
});
