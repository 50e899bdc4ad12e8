import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  fetchToken,
  matrixActors as actors,
  matrixUsers,
  operationsOf,
  type MatrixActor as Actor,
} from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// Every endpoint, for its own organisation, another partner, the hub, the lead body and an auditor.
// A record the caller may not see is 404; a role the route does not admit is 403.

// Consents here name a partner that is none of the actors, so the other partner never gains access.
const sharedWithFifth = aConsent({ organisations: ['partner-05'] });

describe('authorization per endpoint', () => {
  let people: People;
  let personId: string;
  let consentId: string;
  beforeAll(async () => {
    people = await startPeople();
    personId = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${personId}`, aPerson());
    consentId = (
      await people.call(users.owner, 'POST', `/people/persons/${personId}/consents`, sharedWithFifth)
    ).body.id;
  });
  afterAll(async () => people?.close());

  /** A new record of the owner's, and its ETag. */
  const ownersPerson = async (overrides: Record<string, unknown> = {}) => {
    const id = newId();
    const registered = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson(overrides));
    return { id, etag: registered.headers.get('etag')! };
  };
  /** Two of the owner's records of one human, linked by the owner: a network person. */
  const linkedPair = async () => {
    const [a, b] = [await ownersPerson(), await ownersPerson({ familyName: 'Popesco' })];
    const linked = await people.call(users.owner, 'POST', '/people/links', { personIds: [a.id, b.id] });
    return { networkPersonId: linked.body.id as string, personIds: [a.id, b.id] };
  };

  // Who acts for each organisation: field staff by default; coordinators where only they may act.
  const { operators, coordinators } = matrixUsers;

  const endpoints: Array<{
    name: string;
    expected: Record<Actor, number>;
    /** Coordinators act for the partners (the route admits them only). */
    by?: Record<Actor, string>;
    send: (user: string) => ReturnType<People['call']>;
  }> = [
    {
      name: 'POST /people/persons',
      expected: { owner: 201, other: 201, hub: 403, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'POST', '/people/persons', aPerson()),
    },
    {
      name: 'PUT /people/persons/{id} (create)',
      expected: { owner: 201, other: 201, hub: 403, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'PUT', `/people/persons/${newId()}`, aPerson()),
    },
    {
      name: 'PUT /people/persons/{id} (replace, If-Match)',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (user) => {
        const current = await people.call(users.owner, 'GET', `/people/persons/${personId}`);
        return people.call(
          user,
          'PUT',
          `/people/persons/${personId}`,
          aPerson({ usualArea: `area-${Date.now()}` }),
          {
            'if-match': current.headers.get('etag')!,
          },
        );
      },
    },
    {
      name: 'GET /people/persons/{id}',
      expected: { owner: 200, other: 404, hub: 200, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', `/people/persons/${personId}`),
    },
    {
      name: 'GET /people/persons',
      expected: { owner: 200, other: 200, hub: 200, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', '/people/persons?limit=200'),
    },
    {
      name: 'GET /people/persons/{id}/card',
      expected: { owner: 200, other: 404, hub: 200, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', `/people/persons/${personId}/card`),
    },
    {
      name: 'GET /people/cards',
      expected: { owner: 200, other: 200, hub: 200, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', '/people/cards?limit=200'),
    },
    {
      name: 'POST /people/persons/{id}/consents',
      expected: { owner: 201, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'POST', `/people/persons/${personId}/consents`, sharedWithFifth),
    },
    {
      name: 'GET /people/persons/{id}/consents',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', `/people/persons/${personId}/consents`),
    },
    {
      name: 'POST /people/persons/{id}/consents/{consentId}/revoke',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      // The owner goes last in `actors`' order would be better, but each call gets a fresh consent.
      send: async (user) => {
        const fresh = await people.call(
          users.owner,
          'POST',
          `/people/persons/${personId}/consents`,
          sharedWithFifth,
        );
        return people.call(user, 'POST', `/people/persons/${personId}/consents/${fresh.body.id}/revoke`, {});
      },
    },
    {
      name: 'POST /people/persons/{id}/consent-refusals',
      expected: { owner: 201, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: (user) =>
        people.call(user, 'POST', `/people/persons/${personId}/consent-refusals`, {
          refusedAt: new Date(Date.now() - 60_000).toISOString(),
        }),
    },
    {
      name: 'GET /people/reports/consents',
      expected: { owner: 200, other: 200, hub: 403, lead: 403, auditor: 403 },
      by: coordinators,
      send: (user) => people.call(user, 'GET', '/people/reports/consents'),
    },
    {
      name: 'PUT /people/persons/{id}/restriction',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      send: async (user) => {
        const { id, etag } = await ownersPerson();
        return people.call(
          user,
          'PUT',
          `/people/persons/${id}/restriction`,
          { restricted: true, reason: 'violence' },
          { 'if-match': etag },
        );
      },
    },
    {
      name: 'GET /people/persons/{id}/access-log',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      by: coordinators,
      send: (user) => people.call(user, 'GET', `/people/persons/${personId}/access-log`),
    },
    {
      name: 'GET /people/access-log',
      expected: { owner: 403, other: 403, hub: 403, lead: 403, auditor: 200 },
      by: coordinators,
      send: (user) => people.call(user, 'GET', '/people/access-log'),
    },
    {
      name: 'GET /people/persons/{id}/subject-access',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      by: coordinators,
      send: (user) => people.call(user, 'GET', `/people/persons/${personId}/subject-access`),
    },
    {
      name: 'POST /people/persons/{id}/forget',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      by: coordinators,
      send: async (user) => {
        const { id } = await ownersPerson();
        return people.call(user, 'POST', `/people/persons/${id}/forget`, { basis: 'person-request' });
      },
    },
    {
      name: 'PUT /people/persons/{id}/erasure-hold',
      expected: { owner: 200, other: 404, hub: 403, lead: 403, auditor: 403 },
      by: coordinators,
      send: async (user) => {
        const { id, etag } = await ownersPerson();
        return people.call(
          user,
          'PUT',
          `/people/persons/${id}/erasure-hold`,
          { reason: 'safeguarding' },
          { 'if-match': etag },
        );
      },
    },
    {
      name: 'GET /people/persons/{id}/candidates',
      expected: { owner: 200, other: 404, hub: 200, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', `/people/persons/${personId}/candidates`),
    },
    {
      name: 'GET /people/candidates',
      expected: { owner: 200, other: 200, hub: 200, lead: 403, auditor: 403 },
      send: (user) => people.call(user, 'GET', '/people/candidates'),
    },
    {
      name: 'POST /people/links',
      expected: { owner: 201, other: 404, hub: 201, lead: 403, auditor: 403 },
      send: async (user) => {
        const [a, b] = [await ownersPerson(), await ownersPerson({ familyName: 'Popesco' })];
        return people.call(user, 'POST', '/people/links', { personIds: [a.id, b.id] });
      },
    },
    {
      name: 'GET /people/network-persons/{networkPersonId}',
      expected: { owner: 200, other: 404, hub: 200, lead: 403, auditor: 403 },
      send: async (user) =>
        people.call(user, 'GET', `/people/network-persons/${(await linkedPair()).networkPersonId}`),
    },
    {
      name: 'POST /people/network-persons/{networkPersonId}/unlink',
      expected: { owner: 200, other: 404, hub: 200, lead: 403, auditor: 403 },
      send: async (user) => {
        const { networkPersonId, personIds } = await linkedPair();
        return people.call(user, 'POST', `/people/network-persons/${networkPersonId}/unlink`, {
          personId: personIds[1],
        });
      },
    },
    {
      name: 'GET /people/audit/events',
      expected: { owner: 403, other: 403, hub: 403, lead: 403, auditor: 200 },
      send: (user) => people.call(user, 'GET', '/people/audit/events'),
    },
    {
      name: 'GET /people/audit/chain',
      expected: { owner: 403, other: 403, hub: 403, lead: 403, auditor: 200 },
      send: (user) => people.call(user, 'GET', '/people/audit/chain'),
    },
  ];

  // The owner's field staff, on the routes only its coordinators (or auditors) may use.
  const coordinatorsOnly = endpoints.filter((endpoint) => endpoint.by === coordinators);
  it.each(coordinatorsOnly.map((endpoint) => [endpoint.name, endpoint] as const))(
    '%s as the owner’s field staff is refused (403)',
    async (_name, endpoint) => {
      const response = await endpoint.send(users.owner);
      expect(response.status).toBe(403);
    },
  );

  it('covers every operation the OpenAPI document describes', async () => {
    const covered = new Set(endpoints.map((endpoint) => endpoint.name.replace(/ \(.*\)$/, '')));
    const operations = await operationsOf(people.url, 'people');
    expect(operations.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  for (const endpoint of endpoints) {
    it.each(actors)(`${endpoint.name} as %s`, async (actor) => {
      const response = await endpoint.send((endpoint.by ?? operators)[actor]);
      expect(response.status).toBe(endpoint.expected[actor]);
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(JSON.stringify(response.body)).not.toMatch(/Ionu|Popescu/);
      }
    });
  }

  it('the other partner’s list does not contain the owner’s person; the hub’s does', async () => {
    const ids = async (user: string) =>
      (await people.call(user, 'GET', '/people/persons?limit=200')).body.items.map(
        (p: { id: string }) => p.id,
      );
    expect(await ids(users.other)).not.toContain(personId);
    expect(await ids(users.hub)).toContain(personId);
    expect(await ids(users.owner)).toContain(personId);
  });

  it('a consent id of someone else’s person is not found', async () => {
    const mine = newId();
    await people.call(users.other, 'PUT', `/people/persons/${mine}`, aPerson());
    const response = await people.call(
      users.other,
      'POST',
      `/people/persons/${mine}/consents/${consentId}/revoke`,
      {},
    );
    expect(response.status).toBe(404);
  });

  it('a user of two organisations names the acting one in X-Organisation, and is refused otherwise', async () => {
    // Keycloak puts every organisation in the token only when asked for `organization:*`.
    const token = await fetchToken(people.idp, 'multi-org.operator', { scope: 'openid organization:*' });
    const register = (organisation?: string) =>
      fetch(`${people.url}/people/persons`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(organisation ? { 'x-organisation': organisation } : {}),
        },
        body: JSON.stringify(aPerson()),
      });
    const asCasa = await register('casa-della-carita');
    expect(asCasa.status).toBe(201);
    expect(((await asCasa.json()) as { ownerOrganisation: string }).ownerOrganisation).toBe(
      'casa-della-carita',
    );
    expect((await register()).status).toBe(400);
    expect((await register('partner-09')).status).toBe(403);
  });
});
