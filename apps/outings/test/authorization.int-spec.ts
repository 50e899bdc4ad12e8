import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  aCompletion,
  aContact,
  anAlert,
  aPlan,
  aStart,
  aTeam,
  aUnit,
  newId,
  startOutings,
  users,
  type Outings,
} from './outings-app.js';
import { matrixActors as actors, matrixUsers, operationsOf, type MatrixActor as Actor } from '#testing';

// Every endpoint, for its own organisation, another partner, the hub, the lead body and an auditor.
// Outings and units are coordination data: everyone reads them; only the owner's staff write.
// A record the caller may not change is 404; a role the route does not admit is 403.

// Field staff act on outings; units are managed by each partner's coordinators.
const { operators, coordinators } = matrixUsers;

describe('authorization per endpoint', () => {
  let outings: Outings;
  let unitId: string;
  let otherUnitId: string;
  let outingId: string;
  let ownOuting: { id: string; memberId: string };
  let otherOuting: { id: string; memberId: string };
  let contactId: string;
  let alertId: string;
  let countId: string;
  beforeAll(async () => {
    outings = await startOutings();
    unitId = await outings.unitOf(users.ownerCoordinator);
    otherUnitId = await outings.unitOf(users.otherCoordinator);
    outingId = (await outings.plannedOuting(users.owner, users.ownerCoordinator)).id;
    ownOuting = await outings.outingOut(users.owner, users.ownerCoordinator);
    otherOuting = await outings.outingOut(users.other, users.otherCoordinator, 'casa-della-carita');
    contactId = newId();
    await outings.call(users.owner, 'PUT', `/outings/contacts/${contactId}`, aContact(ownOuting));
    alertId = newId();
    await outings.call(users.owner, 'PUT', `/outings/alerts/${alertId}`, anAlert());
    countId = newId();
    const prepared = await outings.call(users.lead, 'PUT', `/outings/counts/${countId}`, {
      edition: '2027-winter',
      night: '2027-01-20',
      areas: ['duomo', 'cadorna', 'loreto'],
    });
    // Each organisation's team is sent to the area it tallies below.
    await outings.teamFor(users.ownerCoordinator, countId, ['duomo']);
    await outings.teamFor(users.otherCoordinator, countId, ['cadorna']);
    await outings.teamFor(users.lead, countId, ['loreto']);
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
  // Each organisation tallies an area of its own in the open count.
  const countedArea: Record<Actor, string> = {
    owner: 'duomo',
    other: 'cadorna',
    lead: 'loreto',
    hub: 'duomo',
    auditor: 'duomo',
  };
  /** A fresh alert the owner took, and its ETag. */
  const ownersAlert = async () => {
    const id = newId();
    const received = await outings.call(users.owner, 'PUT', `/outings/alerts/${id}`, anAlert());
    return { id, etag: received.headers.get('etag')! };
  };
  // Each partner records contacts on an outing of its own.
  const contactFor = (actor: Actor) => aContact(actor === 'other' ? otherOuting : ownOuting);
  afterAll(async () => outings?.close());

  const planned = () => outings.plannedOuting(users.owner, users.ownerCoordinator);
  const underWay = async () => {
    const { id, etag } = await planned();
    const started = await outings.call(users.owner, 'POST', `/outings/outings/${id}/start`, aStart(), {
      'if-match': etag,
    });
    return { id, etag: started.headers.get('etag')! };
  };

  const endpoints: Array<{
    name: string;
    expected: Record<Actor, number>;
    send: (actor: Actor) => ReturnType<Outings['call']>;
  }> = [
    {
      name: 'GET /outings/areas',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/areas'),
    },
    {
      name: 'GET /outings/areas/{code}',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/areas/duomo'),
    },
    {
      name: 'PUT /outings/units/{id} (create)',
      expected: { owner: 201, other: 201, hub: 403, lead: 403, auditor: 403 },
      send: (actor) => outings.call(coordinators[actor], 'PUT', `/outings/units/${newId()}`, aUnit()),
    },
    {
      name: 'PUT /outings/units/{id} (replace, If-Match)',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (actor) => {
        const current = await outings.call(users.ownerCoordinator, 'GET', `/outings/units/${unitId}`);
        return outings.call(
          coordinators[actor],
          'PUT',
          `/outings/units/${unitId}`,
          aUnit({ name: newId() }),
          {
            'if-match': current.headers.get('etag')!,
          },
        );
      },
    },
    {
      name: 'GET /outings/units/{id}',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/units/${unitId}`),
    },
    {
      name: 'GET /outings/units',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/units'),
    },
    {
      name: 'PUT /outings/outings/{id} (plan)',
      expected: { owner: 201, other: 201, hub: 403, lead: 403, auditor: 403 },
      // Each partner plans on a unit of its own, with a fresh unit so the night is free.
      send: async (actor) => {
        const plan =
          actor === 'other'
            ? aPlan(await outings.unitOf(users.otherCoordinator), {
                team: [{ memberId: newId(), organisation: 'casa-della-carita', volunteer: true }],
              })
            : aPlan(await outings.unitOf(users.ownerCoordinator));
        return outings.call(operators[actor], 'PUT', `/outings/outings/${newId()}`, plan);
      },
    },
    {
      name: 'PUT /outings/outings/{id} (change the plan, If-Match)',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (actor) => {
        const { id, etag, body } = await planned();
        return outings.call(
          operators[actor],
          'PUT',
          `/outings/outings/${id}`,
          aPlan(body.unitId, { areasPlanned: ['duomo'] }),
          {
            'if-match': etag,
          },
        );
      },
    },
    {
      name: 'POST /outings/outings/{id}/start',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (actor) => {
        const { id, etag } = await planned();
        return outings.call(operators[actor], 'POST', `/outings/outings/${id}/start`, aStart(), {
          'if-match': etag,
        });
      },
    },
    {
      name: 'POST /outings/outings/{id}/complete',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (actor) => {
        const { id, etag } = await underWay();
        return outings.call(operators[actor], 'POST', `/outings/outings/${id}/complete`, aCompletion(), {
          'if-match': etag,
        });
      },
    },
    {
      name: 'POST /outings/outings/{id}/cancel',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (actor) => {
        const { id, etag } = await planned();
        return outings.call(
          operators[actor],
          'POST',
          `/outings/outings/${id}/cancel`,
          { reason: 'weather' },
          {
            'if-match': etag,
          },
        );
      },
    },
    {
      name: 'GET /outings/outings/{id}',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/outings/${outingId}`),
    },
    {
      name: 'GET /outings/outings',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/outings'),
    },
    {
      name: 'GET /outings/coverage',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/coverage?night=2026-12-03'),
    },
    {
      name: 'PUT /outings/contacts/{id}',
      expected: { owner: 201, other: 201, hub: 403, lead: 403, auditor: 403 },
      send: (actor) =>
        outings.call(operators[actor], 'PUT', `/outings/contacts/${newId()}`, contactFor(actor)),
    },
    {
      name: 'POST /outings/contacts/batch',
      expected: { owner: 200, other: 200, hub: 403, lead: 403, auditor: 403 },
      send: (actor) =>
        outings.call(operators[actor], 'POST', '/outings/contacts/batch', {
          contacts: [{ id: newId(), ...contactFor(actor) }],
        }),
    },
    {
      name: 'GET /outings/contacts/{id}',
      expected: { owner: 200, other: 404, hub: 200, lead: 403, auditor: 403 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/contacts/${contactId}`),
    },
    {
      name: 'GET /outings/contacts',
      expected: { owner: 200, other: 200, hub: 200, lead: 403, auditor: 403 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/contacts'),
    },
    {
      name: 'PUT /outings/alerts/{id}',
      expected: { owner: 201, other: 201, hub: 201, lead: 201, auditor: 403 },
      send: (actor) => outings.call(operators[actor], 'PUT', `/outings/alerts/${newId()}`, anAlert()),
    },
    {
      name: 'POST /outings/alerts/{id}/assign',
      expected: { owner: 200, other: 404, hub: 200, lead: 200, auditor: 403 },
      send: async (actor) => {
        const { id, etag } = await ownersAlert();
        return outings.call(
          operators[actor],
          'POST',
          `/outings/alerts/${id}/assign`,
          { unitId },
          { 'if-match': etag },
        );
      },
    },
    {
      name: 'POST /outings/alerts/{id}/close',
      expected: { owner: 200, other: 404, hub: 200, lead: 200, auditor: 403 },
      send: async (actor) => {
        const { id, etag } = await ownersAlert();
        const close = { outcome: 'helped', closedAt: new Date().toISOString() };
        return outings.call(operators[actor], 'POST', `/outings/alerts/${id}/close`, close, {
          'if-match': etag,
        });
      },
    },
    {
      name: 'GET /outings/alerts/{id}',
      expected: { owner: 200, other: 404, hub: 200, lead: 200, auditor: 403 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/alerts/${alertId}`),
    },
    {
      name: 'GET /outings/alerts',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 403 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/alerts'),
    },
    {
      name: 'PUT /outings/counts/{id}',
      expected: { owner: 403, other: 403, hub: 403, lead: 201, auditor: 403 },
      send: (actor) =>
        outings.call(operators[actor], 'PUT', `/outings/counts/${newId()}`, {
          edition: `2030-summer-${actor}`,
          night: '2030-07-10',
          areas: ['duomo'],
        }),
    },
    {
      name: 'POST /outings/counts/{id}/status',
      expected: { owner: 403, other: 403, hub: 403, lead: 200, auditor: 403 },
      send: async (actor) => {
        const id = newId();
        const prepared = await outings.call(users.lead, 'PUT', `/outings/counts/${id}`, {
          edition: `2031-summer-${actor}`,
          night: '2031-07-10',
          areas: ['duomo'],
        });
        return outings.call(
          operators[actor],
          'POST',
          `/outings/counts/${id}/status`,
          { status: 'active' },
          {
            'if-match': prepared.headers.get('etag')!,
          },
        );
      },
    },
    {
      name: 'PUT /outings/counts/{id}/teams/{teamId}',
      expected: { owner: 201, other: 201, hub: 403, lead: 201, auditor: 403 },
      send: async (actor) => {
        const id = newId();
        await outings.call(users.lead, 'PUT', `/outings/counts/${id}`, {
          edition: `2032-summer-${actor}`,
          night: '2032-07-10',
          areas: ['bovisa'],
        });
        return outings.call(
          coordinators[actor],
          'PUT',
          `/outings/counts/${id}/teams/${newId()}`,
          aTeam(['bovisa']),
        );
      },
    },
    {
      name: 'GET /outings/counts/{id}/teams',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/counts/${countId}/teams`),
    },
    {
      name: 'PUT /outings/counts/{id}/tallies/{area}',
      expected: { owner: 201, other: 201, hub: 403, lead: 201, auditor: 403 },
      send: (actor) =>
        outings.call(operators[actor], 'PUT', `/outings/counts/${countId}/tallies/${countedArea[actor]}`, {
          observed: 6,
          interviewed: 2,
        }),
    },
    {
      name: 'GET /outings/counts/{id}',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/counts/${countId}`),
    },
    {
      name: 'GET /outings/counts',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/counts'),
    },
    {
      name: 'GET /outings/counts/{id}/results',
      expected: { owner: 200, other: 200, hub: 200, lead: 200, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', `/outings/counts/${countId}/results`),
    },
    {
      name: 'GET /outings/audit/events',
      expected: { owner: 403, other: 403, hub: 403, lead: 403, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/audit/events'),
    },
    {
      name: 'GET /outings/audit/chain',
      expected: { owner: 403, other: 403, hub: 403, lead: 403, auditor: 200 },
      send: (actor) => outings.call(operators[actor], 'GET', '/outings/audit/chain'),
    },
  ];

  it('covers every operation the OpenAPI document describes', async () => {
    const covered = new Set(endpoints.map((endpoint) => endpoint.name.replace(/ \(.*\)$/, '')));
    const operations = await operationsOf(outings.url, 'outings');
    expect(operations.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  for (const endpoint of endpoints) {
    it.each(actors)(`${endpoint.name} as %s`, async (actor) => {
      const response = await endpoint.send(actor);
      expect(response.status).toBe(endpoint.expected[actor]);
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    });
  }

  it('another partner’s contact list leaves out the owner’s contacts; the hub’s has them', async () => {
    const ids = async (user: string) =>
      (await outings.call(user, 'GET', '/outings/contacts?limit=200')).body.items.map(
        (c: { id: string }) => c.id,
      );
    expect(await ids(users.other)).not.toContain(contactId);
    expect(await ids(users.hub)).toContain(contactId);
    expect(await ids(users.owner)).toContain(contactId);
  });

  it('another partner’s alert list leaves out the owner’s alert; the dispatchers’ have it', async () => {
    const ids = async (user: string) =>
      (await outings.call(user, 'GET', '/outings/alerts?limit=200')).body.items.map(
        (a: { id: string }) => a.id,
      );
    expect(await ids(users.other)).not.toContain(alertId);
    expect(await ids(users.hub)).toContain(alertId);
    expect(await ids(users.lead)).toContain(alertId);
  });

  it('field staff use units but do not create or change them (403)', async () => {
    expect((await outings.call(users.owner, 'PUT', `/outings/units/${newId()}`, aUnit())).status).toBe(403);
  });

  it('the other partner sees the owner’s outing in lists, without its team', async () => {
    const list = await outings.call(users.other, 'GET', '/outings/outings?limit=200');
    const seen = list.body.items.find((o: { id: string }) => o.id === outingId);
    expect(seen).toMatchObject({ id: outingId, team: null, teamSize: 3 });
  });

  it('a partner cannot plan on another partner’s unit, even with its own team', async () => {
    const response = await outings.call(
      users.owner,
      'PUT',
      `/outings/outings/${newId()}`,
      aPlan(otherUnitId),
    );
    expect(response.status).toBe(422);
  });

  it('a role outside outreach (the residence desk) is refused, and a request without a token is 401', async () => {
    expect((await outings.call(users.desk, 'GET', '/outings/outings')).status).toBe(403);
    expect((await outings.call(users.desk, 'GET', '/outings/areas')).status).toBe(403);
    const anonymous = await outings.call(null, 'GET', '/outings/outings');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});
