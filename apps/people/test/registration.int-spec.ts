import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { aPerson, newId, startPeople, users, type People } from './people-app.js';

describe('registering and updating a person', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople();
  });
  afterAll(async () => people?.close());

  it('PUT with a client-chosen id is idempotent: the same registration again changes nothing', async () => {
    const id = newId();
    const first = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    expect(first.status).toBe(201);
    expect(first.headers.get('etag')).toBe('"1"');
    expect(first.headers.get('location')).toBe(`/people/persons/${id}`);
    const again = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    await eventually(() =>
      expect(
        people
          .eventsOfType('people.person-registered')
          .filter((e) => (e.data.subjects as { personId: string }).personId === id),
      ).toHaveLength(1),
    );
  });

  it('POST with an Idempotency-Key replays the first response; the key with another body is refused', async () => {
    const key = `field-app-${newId()}`;
    const first = await people.call(users.owner, 'POST', '/people/persons', aPerson({ givenName: 'Kofi' }), {
      'idempotency-key': key,
    });
    expect(first.status).toBe(201);
    const replay = await people.call(users.owner, 'POST', '/people/persons', aPerson({ givenName: 'Kofi' }), {
      'idempotency-key': key,
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const misuse = await people.call(
      users.owner,
      'POST',
      '/people/persons',
      aPerson({ givenName: 'Kwame' }),
      { 'idempotency-key': key },
    );
    expect(misuse.status).toBe(422);
    // Keys belong to an organisation: another one using the same key registers its own person.
    const elsewhere = await people.call(
      users.other,
      'POST',
      '/people/persons',
      aPerson({ givenName: 'Kofi' }),
      { 'idempotency-key': key },
    );
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.id).not.toBe(first.body.id);
  });

  it('concurrent POSTs with one Idempotency-Key register one person and answer the same body', async () => {
    const key = `retry-${newId()}`;
    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        people.call(users.owner, 'POST', '/people/persons', aPerson({ givenName: 'Yaw' }), {
          'idempotency-key': key,
        }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
  });

  it('someone met but not identified is registered under a code name and a description', async () => {
    const response = await people.call(users.owner, 'POST', '/people/persons', {
      nameQuality: 'unknown',
      codeName: 'UM3-2026-117',
      description: 'Uomo sulla cinquantina, giaccone verde, dorme sotto i portici di via Vittor Pisani',
      birthDateQuality: 'unknown',
      estimatedAge: 50,
      usualArea: 'stazione-centrale',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ givenName: null, codeName: 'UM3-2026-117', estimatedAge: 50 });
    const event = await eventually(() => {
      const found = people
        .eventsOfType('people.person-registered')
        .find((e) => (e.data.subjects as { personId: string }).personId === response.body.id);
      expect(found).toBeDefined();
      return found!;
    });
    expect(event.data.payload).toEqual({
      personId: response.body.id,
      identified: false,
      ageBand: '45-54',
      usualArea: 'stazione-centrale',
    });
  });

  it('updates need the current ETag; each update publishes the changed field names only', async () => {
    const id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    const updated = await people.call(
      users.ownerCoordinator,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ usualArea: 'parco-sempione', languages: ['ro'] }),
      { 'if-match': '"1"' },
    );
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(updated.body).toMatchObject({ usualArea: 'parco-sempione', version: 2 });
    const stale = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ usualArea: 'duomo' }),
      { 'if-match': '"1"' },
    );
    expect(stale.status).toBe(412);
    const event = await eventually(() => {
      const found = people
        .eventsOfType('people.person-updated')
        .find((e) => (e.data.subjects as { personId: string }).personId === id);
      expect(found).toBeDefined();
      return found!;
    });
    expect(event.data.payload).toEqual({
      personId: id,
      recordVersion: 2,
      changedFields: ['languages', 'usualArea'],
    });
  });

  it('concurrent updates with the same ETag: exactly one wins, the other gets 412', async () => {
    const id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    const results = await Promise.all(
      ['duomo', 'navigli', 'lambrate', 'bovisa'].map((area) =>
        people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson({ usualArea: area }), {
          'if-match': '"1"',
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
  });
});

describe('searching by name or alias', () => {
  let people: People;
  const registered: Record<string, string> = {};
  beforeAll(async () => {
    people = await startPeople();
    const persons = {
      nicolo: aPerson({ givenName: 'Nicolò', familyName: "D'Angelo", aliases: [] }),
      mohammed: aPerson({
        givenName: 'Mohammed',
        familyName: 'Benali',
        aliases: [{ name: 'Il Marocchino', kind: 'street-name' }],
      }),
      ionut: aPerson({
        givenName: 'Ionuț',
        familyName: 'Popescu',
        aliases: [{ name: 'Johnny', kind: 'street-name' }],
      }),
      abdoulaye: aPerson({ givenName: 'Abdoulaye', familyName: 'Traoré', aliases: [] }),
    };
    for (const [key, body] of Object.entries(persons)) {
      registered[key] = (await people.call(users.owner, 'POST', '/people/persons', body)).body.id;
    }
  });
  afterAll(async () => people?.close());

  const search = async (q: string) =>
    (await people.call(users.owner, 'GET', `/people/persons?q=${encodeURIComponent(q)}`)).body.items.map(
      (p: { id: string }) => p.id,
    );

  it.each([
    ['without accents', 'nicolo dangelo', 'nicolo'],
    ['with a typo', 'Mohamed Benaly', 'mohammed'],
    ['by street name', 'johny', 'ionut'],
    ['diacritics typed plainly', 'ionut', 'ionut'],
    ['family name only, accent dropped', 'traore', 'abdoulaye'],
  ])('finds %s', async (_label, q, expected) => {
    expect((await search(q))[0]).toBe(registered[expected]);
  });

  it('does not return unrelated people', async () => {
    expect(await search('giuseppe verdi')).toEqual([]);
  });

  it('pages through a list with a stable cursor', async () => {
    const first = await people.call(users.owner, 'GET', '/people/persons?limit=3');
    expect(first.body.items).toHaveLength(3);
    const second = await people.call(users.owner, 'GET', `/people/persons?limit=3&cursor=${first.body.next}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((p: { id: string }) => p.id);
    expect(new Set(all)).toEqual(new Set(Object.values(registered)));
  });
});
