import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fetchToken } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// Every endpoint, for its own organisation, another partner, the hub, the lead body and an auditor.
// A record the caller may not see is 404; a role the route does not admit is 403.
type Actor = 'owner' | 'other' | 'hub' | 'lead' | 'auditor';
const actors: Actor[] = ['owner', 'other', 'hub', 'lead', 'auditor'];

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

  const endpoints: Array<{
    name: string;
    expected: Record<Actor, number>;
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
  ];

  const usernames: Record<Actor, string> = {
    owner: users.owner,
    other: users.other,
    hub: users.hub,
    lead: users.lead,
    auditor: users.auditor,
  };

  for (const endpoint of endpoints) {
    it.each(actors)(`${endpoint.name} as %s`, async (actor) => {
      const response = await endpoint.send(usernames[actor]);
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
