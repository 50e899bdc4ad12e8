import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aPerson, newId, startPeople, users, type People } from './people-app.js';

// api.md "Limits": lookups that reach many people's records (search, match candidates, exports) are
// limited per client; what a client reads or writes one record at a time is not.
describe('lookups limited per client', () => {
  const perMinute = 5;
  let people: People;
  let personId: string;
  beforeAll(async () => {
    people = await startPeople({ HTTP_LOOKUPS_PER_MINUTE: String(perMinute) });
    personId = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${personId}`, aPerson());
  });
  afterAll(async () => people?.close());

  it('given a partner that searched and looked for candidates up to its budget, then the next lookup is 429 problem+json with Retry-After, and nothing else is refused', async () => {
    const lookups = [
      `/people/persons?q=Popescu`,
      `/people/persons/${personId}/candidates`,
      '/people/candidates',
      '/people/persons?limit=10',
      '/people/cards?alias=johnny',
    ];
    for (const path of lookups) expect((await people.call(users.owner, 'GET', path)).status).toBe(200);

    const refused = await people.call(users.owner, 'GET', '/people/persons?q=Popescu');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, type: expect.stringMatching(/too-many-requests$/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The search terms are not echoed back (they are names).
    expect(JSON.stringify(refused.body)).not.toMatch(/Popescu/);

    expect((await people.call(users.owner, 'GET', `/people/persons/${personId}`)).status).toBe(200);
    expect((await people.call(users.owner, 'PUT', `/people/persons/${newId()}`, aPerson())).status).toBe(201);
    expect((await people.call(users.other, 'GET', '/people/persons?q=Popescu')).status).toBe(200);
  });

  it('documents the refusal in the OpenAPI document of the limited routes only', async () => {
    const document = (await (await fetch(`${people.url}/people/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(document.paths['/people/persons'].get.responses).toHaveProperty('429');
    expect(document.paths['/people/persons/{id}/subject-access'].get.responses).toHaveProperty('429');
    expect(document.paths['/people/cards'].get.responses).toHaveProperty('429');
    expect(document.paths['/people/persons/{id}'].get.responses).not.toHaveProperty('429');
  });
});
