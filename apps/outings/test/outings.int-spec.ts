import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import {
  aCompletion,
  aPlan,
  aStart,
  newId,
  owner,
  startOutings,
  users,
  type Outings,
} from './outings-app.js';

// A unit's night: planned, under way, completed (or cancelled), the events reporting gets, and what
// the rest of the network sees of it.
describe('outings', () => {
  let outings: Outings;
  beforeAll(async () => {
    outings = await startOutings();
  });
  afterAll(async () => outings?.close());

  const at = (iso: string) => new Date(iso).toISOString();

  it('goes planned → under way → completed, with volunteer hours and one event per step', async () => {
    const startedAt = new Date(Date.now() - 4 * 3_600_000);
    const endedAt = new Date(startedAt.getTime() + 210 * 60_000);
    const { id, etag } = await outings.plannedOuting(users.owner, users.ownerCoordinator);

    const started = await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${id}/start`,
      aStart({ startedAt }),
      {
        'if-match': etag,
      },
    );
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'under-way', startedAt: startedAt.toISOString() });

    const completed = await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${id}/complete`,
      aCompletion({ endedAt: endedAt.toISOString() }),
      { 'if-match': started.headers.get('etag')! },
    );
    expect(completed.status).toBe(200);
    // Two volunteers (one of them a guest from partner-04) for 3 h 30 min; staff time does not count.
    expect(completed.body).toMatchObject({
      status: 'completed',
      endedAt: endedAt.toISOString(),
      areasCovered: ['stazione-centrale', 'loreto', 'porta-garibaldi'],
      suppliesLeft: { meal: 3, blanket: 0 },
      volunteerMinutes: 420,
      guestOrganisations: ['partner-04'],
    });

    const types = async () =>
      eventually(() => {
        const mine = outings.events.filter((e) => (e.data.subjects as { outingId?: string }).outingId === id);
        expect(mine).toHaveLength(3);
        return mine;
      });
    const [planned, start, completion] = await types();
    expect(planned.subject).toMatch(/accanto\.outings\.outing-planned\.v1$/);
    expect(start.subject).toMatch(/accanto\.outings\.outing-started\.v1$/);
    expect(completion.subject).toMatch(/accanto\.outings\.outing-completed\.v1$/);
    expect(start.data).toMatchObject({ occurredAt: startedAt.toISOString(), organisation: owner });
    expect(completion.data).toMatchObject({
      occurredAt: endedAt.toISOString(),
      payload: { outingId: id, volunteerMinutes: 420, startedAt: startedAt.toISOString() },
    });
    expect(planned.data.payload).toMatchObject({ teamSize: 3, guestOrganisations: ['partner-04'] });
    expect(completion.msgId).toBe(completion.data.id);
  });

  it('replays a start or a completion a field app sends again, without a second event', async () => {
    const { id, etag } = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    const send = (command: string, body: unknown, ifMatch: string) =>
      outings.call(users.owner, 'POST', `/outings/outings/${id}/${command}`, body, { 'if-match': ifMatch });
    const start = aStart();
    const started = await send('start', start, etag);
    // The field app lost the answer and sends the same command with the ETag it had.
    const startAgain = await send('start', start, etag);
    expect(startAgain.status).toBe(200);
    expect(startAgain.body).toEqual(started.body);
    const completion = aCompletion();
    const completed = await send('complete', completion, started.headers.get('etag')!);
    // Replayed after the completion, the start still answers (with the outing as it is now).
    expect((await send('start', start, etag)).body.status).toBe('completed');
    const completeAgain = await send('complete', completion, started.headers.get('etag')!);
    expect(completeAgain.body).toEqual(completed.body);
    // The relay publishes in log order: once a later event is on the stream, so are these.
    const fence = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    await eventually(() =>
      expect(
        outings.events.some((e) => (e.data.subjects as { outingId: string }).outingId === fence.id),
      ).toBe(true),
    );
    const types = outings.events
      .filter((e) => (e.data.subjects as { outingId: string }).outingId === id)
      .map((e) => e.data.type);
    expect(types).toEqual(['outings.outing-planned', 'outings.outing-started', 'outings.outing-completed']);
  });

  it('refuses a stale ETag (412) and a command from the wrong status (409), changing nothing', async () => {
    const { id, etag } = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    const completeTooEarly = await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${id}/complete`,
      aCompletion(),
      {
        'if-match': etag,
      },
    );
    expect(completeTooEarly.status).toBe(409);
    const started = await outings.call(users.owner, 'POST', `/outings/outings/${id}/start`, aStart(), {
      'if-match': etag,
    });
    expect(started.status).toBe(200);
    const stale = await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${id}/cancel`,
      { reason: 'weather' },
      {
        'if-match': etag,
      },
    );
    expect(stale.status).toBe(412);
    const current = started.headers.get('etag')!;
    const cancelUnderWay = await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${id}/cancel`,
      { reason: 'weather' },
      {
        'if-match': current,
      },
    );
    expect(cancelUnderWay.status).toBe(409);
    expect(cancelUnderWay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const now = await outings.call(users.owner, 'GET', `/outings/outings/${id}`);
    expect(now.body.status).toBe('under-way');
    expect(now.headers.get('etag')).toBe(current);
  });

  it('changes a plan until the unit goes out, and publishes the new plan', async () => {
    const { id, etag, body } = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    const replanned = await outings.call(
      users.owner,
      'PUT',
      `/outings/outings/${id}`,
      aPlan(body.unitId, { areasPlanned: ['duomo'] }),
      { 'if-match': etag },
    );
    expect(replanned.status).toBe(200);
    expect(replanned.body.areasPlanned).toEqual(['duomo']);
    await eventually(() => {
      const plans = outings
        .eventsOfType('outings.outing-planned')
        .filter((e) => (e.data.subjects as { outingId: string }).outingId === id);
      expect(plans.map((e) => (e.data.payload as { planVersion: number }).planVersion)).toEqual([1, 2]);
    });
  });

  it('plans one outing per unit and night; a cancelled one frees the night', async () => {
    const unitId = await outings.unitOf(users.ownerCoordinator);
    const plan = aPlan(unitId);
    const first = await outings.call(users.owner, 'PUT', `/outings/outings/${newId()}`, plan);
    expect(first.status).toBe(201);
    const second = await outings.call(users.owner, 'PUT', `/outings/outings/${newId()}`, plan);
    expect(second.status).toBe(409);
    const cancelled = await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${first.body.id}/cancel`,
      { reason: 'vehicle' },
      { 'if-match': first.headers.get('etag')! },
    );
    expect(cancelled.body.status).toBe('cancelled');
    expect((await outings.call(users.owner, 'PUT', `/outings/outings/${newId()}`, plan)).status).toBe(201);
    await eventually(() =>
      expect(
        outings
          .eventsOfType('outings.outing-cancelled')
          .some((e) => (e.data.payload as { outingId: string; reason: string }).outingId === first.body.id),
      ).toBe(true),
    );
  });

  it('belongs to the night it starts on in Milan, also after midnight', async () => {
    const unitId = await outings.unitOf(users.ownerCoordinator);
    const planned = await outings.call(
      users.owner,
      'PUT',
      `/outings/outings/${newId()}`,
      aPlan(unitId, { plannedStart: '2026-12-04T00:30:00+01:00', plannedEnd: '2026-12-04T05:00:00+01:00' }),
    );
    expect(planned.body).toMatchObject({ night: '2026-12-03', plannedStart: at('2026-12-03T23:30:00Z') });
  });

  it('shows other partners where the unit goes and how many are in it, not who', async () => {
    const { id } = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    const own = await outings.call(users.owner, 'GET', `/outings/outings/${id}`);
    const seen = await outings.call(users.other, 'GET', `/outings/outings/${id}`);
    expect(own.body.team).toHaveLength(3);
    expect(seen.body).toMatchObject({
      team: null,
      teamSize: 3,
      areasPlanned: ['stazione-centrale', 'loreto'],
    });
    for (const member of own.body.team) expect(JSON.stringify(seen.body)).not.toContain(member.memberId);
  });

  it('answers who is where on a night, area by area', async () => {
    const mine = await outings.plannedOuting(users.owner, users.ownerCoordinator, {
      plannedStart: '2026-11-20T21:00:00+01:00',
      plannedEnd: '2026-11-21T02:00:00+01:00',
      areasPlanned: ['bovisa'],
    });
    const theirs = await outings.plannedOuting(users.other, users.otherCoordinator, {
      plannedStart: '2026-11-20T22:00:00+01:00',
      plannedEnd: '2026-11-21T01:00:00+01:00',
      areasPlanned: ['bovisa', 'certosa'],
      team: [{ memberId: newId(), organisation: 'casa-della-carita', volunteer: true }],
    });
    const coverage = await outings.call(users.hub, 'GET', '/outings/coverage?night=2026-11-20');
    expect(coverage.status).toBe(200);
    expect(coverage.body.areas).toEqual([
      expect.objectContaining({
        code: 'certosa',
        district: 8,
        outings: [
          expect.objectContaining({ id: theirs.id, organisation: 'casa-della-carita', covered: false }),
        ],
      }),
      expect.objectContaining({
        code: 'bovisa',
        district: 9,
        outings: [
          expect.objectContaining({ id: mine.id, organisation: owner, status: 'planned' }),
          expect.objectContaining({ id: theirs.id }),
        ],
      }),
    ]);
  });

  it('lists outings by night, area and status, a page at a time in a stable order', async () => {
    const night = { plannedStart: '2026-10-01T21:00:00+02:00', plannedEnd: '2026-10-02T01:00:00+02:00' };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await outings.plannedOuting(users.owner, users.ownerCoordinator, night)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Outings['call']>> = await outings.call(
        users.lead,
        'GET',
        `/outings/outings?night=2026-10-01&area=loreto&status=planned&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((o: { id: string }) => o.id));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).toEqual(ids);
    const elsewhere = await outings.call(users.lead, 'GET', '/outings/outings?night=2026-10-01&area=baggio');
    expect(elsewhere.body.items).toEqual([]);
  });

  it('lists the demo areas of Milan by Municipio, with GeoJSON shapes', async () => {
    const all = await outings.call(users.owner, 'GET', '/outings/areas?limit=200');
    expect(all.body.items).toHaveLength(18);
    expect(new Set(all.body.items.map((a: { district: number }) => a.district))).toEqual(
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    );
    const central = await outings.call(users.owner, 'GET', '/outings/areas/stazione-centrale');
    expect(central.body).toMatchObject({
      name: 'Stazione Centrale',
      district: 2,
      shape: { type: 'Polygon' },
    });
    const ring = central.body.shape.coordinates[0];
    expect(ring[0]).toEqual(ring.at(-1));
    const district2 = await outings.call(users.owner, 'GET', '/outings/areas?district=2&limit=1');
    expect(district2.body.items).toHaveLength(1);
    const rest = await outings.call(
      users.owner,
      'GET',
      `/outings/areas?district=2&cursor=${district2.body.next}`,
    );
    expect([...district2.body.items, ...rest.body.items].map((a: { code: string }) => a.code)).toEqual([
      'loreto',
      'stazione-centrale',
    ]);
  });

  it('keeps units per organisation: the other partner reads them, its coordinator cannot change them', async () => {
    const unitId = await outings.unitOf(users.ownerCoordinator, { specialisation: 'health' });
    const read = await outings.call(users.otherCoordinator, 'GET', `/outings/units/${unitId}`);
    expect(read.body).toMatchObject({ organisation: owner, specialisation: 'health' });
    const taken = await outings.call(
      users.otherCoordinator,
      'PUT',
      `/outings/units/${unitId}`,
      { name: 'x', specialisation: 'food' },
      {
        'if-match': read.headers.get('etag')!,
      },
    );
    expect(taken.status).toBe(404);
    // Nor plan an outing on it.
    const borrowed = await outings.call(
      users.other,
      'PUT',
      `/outings/outings/${newId()}`,
      aPlan(unitId, {
        team: [{ memberId: newId(), organisation: 'casa-della-carita', volunteer: true }],
      }),
    );
    expect(borrowed.status).toBe(422);
    expect(borrowed.body.errors).toEqual([expect.objectContaining({ field: 'body.unitId' })]);
  });

  it('retires a unit: it stays readable and plans no new outing', async () => {
    const unitId = await outings.unitOf(users.ownerCoordinator);
    const read = await outings.call(users.ownerCoordinator, 'GET', `/outings/units/${unitId}`);
    const retired = await outings.call(
      users.ownerCoordinator,
      'PUT',
      `/outings/units/${unitId}`,
      {
        ...(read.body && {
          name: read.body.name,
          vehicle: read.body.vehicle,
          specialisation: read.body.specialisation,
        }),
        active: false,
      },
      { 'if-match': read.headers.get('etag')! },
    );
    expect(retired.body).toMatchObject({ active: false, version: 2 });
    const planned = await outings.call(users.owner, 'PUT', `/outings/outings/${newId()}`, aPlan(unitId));
    expect(planned.status).toBe(422);
  });
  it('is ready when its database and NATS are, and documents its routes as OpenAPI 3.1', async () => {
    expect((await outings.call(null, 'GET', '/outings/health/ready')).status).toBe(200);
    const openapi = await outings.call(null, 'GET', '/outings/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/outings/units/{id}',
        '/outings/areas/{code}',
        '/outings/outings/{id}',
        '/outings/outings/{id}/start',
        '/outings/outings/{id}/complete',
        '/outings/outings/{id}/cancel',
        '/outings/coverage',
      ]),
    );
    // Path parameters are documented from the schemas that validate them, once each.
    const { parameters } = openapi.body.paths['/outings/outings/{id}'].get as {
      parameters: Array<{ in: string; name: string }>;
    };
    expect(parameters.filter((parameter) => parameter.in === 'path')).toEqual([
      expect.objectContaining({
        in: 'path',
        name: 'id',
        schema: expect.objectContaining({ format: 'uuid' }),
      }),
    ]);
    // The acting organisation's header, for users of several organisations, on every route.
    expect(parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'X-Organisation' }));
  });
});
