import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { badInputCases, notRefusedAsBadInput, sendBadInput } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// api.md: bad input gets a clear 4xx problem+json, and nothing is stored or published.
describe('bad input', () => {
  let people: People;
  let db: pg.Client;
  let personId: string;
  const counts = async () => {
    const { rows } = await db.query(
      `select (select count(*) from person)::int as persons, (select count(*) from consent)::int as consents,
              (select count(*) from event_log)::int as events`,
    );
    return rows[0];
  };

  beforeAll(async () => {
    people = await startPeople();
    db = new pg.Client({ connectionString: people.databaseUrl });
    await db.connect();
    personId = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${personId}`, aPerson());
  });
  afterAll(async () => {
    await db?.end();
    await people?.close();
  });

  const long = 'x'.repeat(101);
  // Every row has six cells: jest passes `done` to a callback with more parameters than cells.
  const cases: Array<[string, string, string, unknown, number, string | undefined]> = [
    ['unknown field', 'POST', '/people/persons', aPerson({ favouriteColour: 'blue' }), 422, 'body'],
    ['wrong type', 'POST', '/people/persons', aPerson({ givenName: 42 }), 422, 'body.givenName'],
    ['oversized string', 'POST', '/people/persons', aPerson({ familyName: long }), 422, 'body.familyName'],
    [
      'impossible date',
      'POST',
      '/people/persons',
      aPerson({ birthDate: '1980-02-30' }),
      422,
      'body.birthDate',
    ],
    [
      'future birth date',
      'POST',
      '/people/persons',
      aPerson({ birthDate: '2090-01-01' }),
      422,
      'body.birthDate',
    ],
    [
      'unknown name quality',
      'POST',
      '/people/persons',
      aPerson({ nameQuality: 'excellent' }),
      422,
      'body.nameQuality',
    ],
    [
      'no name and no code name',
      'POST',
      '/people/persons',
      aPerson({ givenName: null, familyName: null, aliases: [] }),
      422,
      'body.codeName',
    ],
    [
      'too many aliases',
      'POST',
      '/people/persons',
      aPerson({ aliases: Array.from({ length: 21 }, (_, i) => ({ name: `a${i}`, kind: 'alias' })) }),
      422,
      'body.aliases',
    ],
    ['malformed JSON', 'POST', '/people/persons', '{"givenName": "Ionuț",', 400, undefined],
    [
      'body too large',
      'POST',
      '/people/persons',
      JSON.stringify(aPerson({ description: 'x'.repeat(70_000) })),
      413,
      undefined,
    ],
    ['id that is not a UUIDv7', 'PUT', '/people/persons/not-a-uuid', aPerson(), 422, 'params.id'],
    [
      'consent scope unknown',
      'POST',
      '/people/persons/{id}/consents',
      aConsent({ scope: 'everyone' }),
      422,
      'body.scope',
    ],
    [
      'consent naming nobody',
      'POST',
      '/people/persons/{id}/consents',
      aConsent({ organisations: [] }),
      422,
      'body.organisations',
    ],
    [
      'consent expiring before given',
      'POST',
      '/people/persons/{id}/consents',
      aConsent({ expiresAt: '2020-01-01T00:00:00Z' }),
      422,
      'body.expiresAt',
    ],
    [
      'consent with impossible time',
      'POST',
      '/people/persons/{id}/consents',
      aConsent({ givenAt: '2026-13-40T25:00:00Z' }),
      422,
      'body.givenAt',
    ],
    ['list limit above the cap', 'GET', '/people/persons?limit=1000', undefined, 422, 'query.limit'],
    ['unknown query parameter', 'GET', '/people/persons?sort=name', undefined, 422, 'query'],
    ['forged cursor', 'GET', '/people/persons?cursor=bm9wZQ', undefined, 422, 'query.cursor'],
  ];

  it.each(cases)(
    '%s → problem+json, nothing stored or published',
    async (_name, method, path, body, status, field) => {
      const before = await counts();
      const response = await people.call(users.owner, method, path.replace('{id}', personId), body);
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
    },
  );

  it('every operation answers a malformed id, body or query value with a 4xx problem, and nothing is stored or logged', async () => {
    const cases = await badInputCases(people.url, 'people');
    // Every operation that takes an id, a body or a bounded query value: the document, not a chosen few.
    expect(new Set(cases.map((c) => c.operation)).size).toBe(23);
    const before = await counts();
    const outcomes = await sendBadInput(
      cases,
      [users.owner, users.ownerCoordinator, users.hub, users.auditor],
      people.call,
    );
    expect(notRefusedAsBadInput(outcomes)).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('a stale If-Match gets 412 and changes nothing', async () => {
    const before = await counts();
    const response = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${personId}`,
      aPerson({ usualArea: 'duomo' }),
      {
        'if-match': '"99"',
      },
    );
    expect(response.status).toBe(412);
    expect(await counts()).toEqual(before);
    expect((await people.call(users.owner, 'GET', `/people/persons/${personId}`)).body.usualArea).toBe(
      'stazione-centrale',
    );
  });

  it('a repeated registration that differs needs If-Match (428)', async () => {
    const response = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${personId}`,
      aPerson({ usualArea: 'duomo' }),
    );
    expect(response.status).toBe(428);
  });
});
