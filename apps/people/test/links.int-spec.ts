import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { streamNames } from '#messaging';
import { eventually } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// Issue 3: one history per person across partners. Records stay their owners' own and are LINKED;
// candidates show only among records the caller may already see.
describe('linking the same person across partners', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople();
  });
  afterAll(async () => people?.close());

  const register = async (user: string, body: Record<string, unknown>) => {
    const id = newId();
    expect((await people.call(user, 'PUT', `/people/persons/${id}`, aPerson(body))).status).toBe(201);
    return id;
  };
  const candidateIds = async (user: string, id: string) =>
    (await people.call(user, 'GET', `/people/persons/${id}/candidates`)).body.items.map(
      (c: { person: { id: string } }) => c.person.id,
    );

  it('proposes, links, shows the combined record, unlinks and does not propose the pair again', async () => {
    const mine = await register(users.owner, {
      givenName: 'Mohammed',
      familyName: 'Benali',
      birthDate: '1984-06-02',
      nationality: 'MA',
    });
    const theirs = await register(users.other, {
      givenName: 'Mohamed',
      familyName: 'Ben Ali',
      birthDate: '1984-06-02',
      nationality: 'MA',
    });
    const stranger = await register(users.other, {
      givenName: 'Giuseppe',
      familyName: 'Verdi',
      birthDate: '1950-01-01',
      nationality: 'IT',
    });

    // The other partner's record is hidden from the owner: nothing tells it a resemblance exists.
    expect(await candidateIds(users.owner, mine)).toEqual([]);
    // The hub reviews across the network.
    const forHub = await people.call(users.hub, 'GET', `/people/persons/${mine}/candidates`);
    expect(forHub.body.items.map((c: { person: { id: string } }) => c.person.id)).toEqual([theirs]);
    expect(forHub.body.items[0].score).toBeGreaterThan(0.5);
    expect(forHub.body.items[0].components.names).toBeDefined();
    expect(forHub.body.items.map((c: { person: { id: string } }) => c.person.id)).not.toContain(stranger);

    // Once the other partner shares its record, the owner sees the candidate too.
    await people.call(
      users.other,
      'POST',
      `/people/persons/${theirs}/consents`,
      aConsent({ organisations: ['volontari-milano-aperta'] }),
    );
    expect(await candidateIds(users.owner, mine)).toEqual([theirs]);

    const linked = await people.call(users.hub, 'POST', '/people/links', {
      personIds: [mine, theirs],
      reason: 'stesso colloquio al Sammartini',
    });
    expect(linked.status).toBe(201);
    const networkPersonId = linked.body.id;
    expect(linked.body.records.map((r: { id: string }) => r.id).sort()).toEqual([mine, theirs].sort());
    await eventually(() =>
      expect(people.eventsOfType('people.person-linked').map((e) => e.data.payload)).toContainEqual({
        networkPersonId,
        personIds: [mine, theirs],
      }),
    );
    // Linked records are no longer candidates of each other.
    expect(await candidateIds(users.hub, mine)).toEqual([]);

    // The owner sees the combined history of what it can read; a third partner sees nothing.
    const combined = await people.call(users.owner, 'GET', `/people/network-persons/${networkPersonId}`);
    expect(combined.status).toBe(200);
    expect(combined.body.records).toHaveLength(2);
    expect((await people.call(users.third, 'GET', `/people/network-persons/${networkPersonId}`)).status).toBe(
      404,
    );

    // Unlink: history kept, the pair remembered.
    const unlinked = await people.call(
      users.hub,
      'POST',
      `/people/network-persons/${networkPersonId}/unlink`,
      { personId: theirs, reason: 'omonimia' },
    );
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.records.map((r: { id: string }) => r.id)).toEqual([mine]);
    expect(unlinked.body.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          personId: theirs,
          unlinkReason: 'omonimia',
          unlinkedAt: expect.any(String),
        }),
      ]),
    );
    expect(await candidateIds(users.hub, mine)).toEqual([]);
    await eventually(() =>
      expect(people.eventsOfType('people.person-unlinked').map((e) => e.data.payload)).toContainEqual({
        networkPersonId,
        personId: theirs,
      }),
    );
    expect(JSON.stringify(people.events)).not.toMatch(/Mohammed|Benali|Ben Ali/);
  });

  it('keeps candidates found at registration for review: the hub sees the pair, a partner only once it may see both', async () => {
    const mine = await register(users.owner, {
      givenName: 'Oumar',
      familyName: 'Koné',
      birthDate: '1979-09-09',
      nationality: 'ML',
    });
    const theirs = await register(users.other, {
      givenName: 'Umar',
      familyName: 'Kone',
      birthDate: '1979-09-09',
      nationality: 'ML',
    });
    const pairOf = (items: Array<{ persons: Array<{ id: string }> }>) =>
      items.find((i) => i.persons.some((p) => p.id === mine) && i.persons.some((p) => p.id === theirs));
    const queued = await eventually(async () => {
      const queue = await people.call(users.hub, 'GET', '/people/candidates?limit=200');
      expect(pairOf(queue.body.items)).toBeDefined();
      return pairOf(queue.body.items)!;
    });
    expect(queued).toMatchObject({ score: expect.any(Number), foundAt: expect.any(String) });
    expect(
      pairOf((await people.call(users.owner, 'GET', '/people/candidates?limit=200')).body.items),
    ).toBeUndefined();
    await people.call(
      users.other,
      'POST',
      `/people/persons/${theirs}/consents`,
      aConsent({ organisations: ['volontari-milano-aperta'] }),
    );
    expect(
      pairOf((await people.call(users.owner, 'GET', '/people/candidates?limit=200')).body.items),
    ).toBeDefined();
    // Linked pairs leave the queue.
    await people.call(users.hub, 'POST', '/people/links', { personIds: [mine, theirs] });
    expect(
      pairOf((await people.call(users.hub, 'GET', '/people/candidates?limit=200')).body.items),
    ).toBeUndefined();
    for (const user of [users.lead, users.auditor]) {
      expect((await people.call(user, 'GET', '/people/candidates')).status).toBe(403);
    }
  });

  it('a restricted record is never a candidate, even for the hub', async () => {
    const a = await register(users.owner, {
      givenName: 'Adaeze',
      familyName: 'Nwosu',
      birthDate: '1990-02-02',
      nationality: 'NG',
    });
    const b = await register(users.other, {
      givenName: 'Adaeze',
      familyName: 'Nwosu',
      birthDate: '1990-02-02',
      nationality: 'NG',
    });
    expect(await candidateIds(users.hub, a)).toEqual([b]);
    const current = await people.call(users.other, 'GET', `/people/persons/${b}`);
    await people.call(
      users.other,
      'PUT',
      `/people/persons/${b}/restriction`,
      { restricted: true, reason: 'trafficking' },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(await candidateIds(users.hub, a)).toEqual([]);
  });

  it('links only records the caller can see; a record already linked elsewhere must be unlinked first', async () => {
    const a = await register(users.owner, { givenName: 'Ion', familyName: 'Rusu' });
    const hidden = await register(users.other, { givenName: 'Ion', familyName: 'Rusu' });
    expect((await people.call(users.owner, 'POST', '/people/links', { personIds: [a, hidden] })).status).toBe(
      404,
    );
    const c = await register(users.owner, { givenName: 'Ion', familyName: 'Rusu' });
    const d = await register(users.owner, { givenName: 'Ioan', familyName: 'Rusu' });
    expect((await people.call(users.owner, 'POST', '/people/links', { personIds: [a, c] })).status).toBe(201);
    expect((await people.call(users.owner, 'POST', '/people/links', { personIds: [a, c] })).status).toBe(409);
    const e = await register(users.owner, { givenName: 'Ion', familyName: 'Rusu' });
    expect((await people.call(users.owner, 'POST', '/people/links', { personIds: [d, e] })).status).toBe(201);
    expect((await people.call(users.owner, 'POST', '/people/links', { personIds: [c, d] })).status).toBe(409);
    expect((await people.call(users.owner, 'POST', '/people/links', { personIds: [a, a] })).status).toBe(422);
  });
});

describe('an API replica without the matcher', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople({ PEOPLE_MATCHER: 'false' });
  });
  afterAll(async () => people?.close());

  it('registers and answers candidates on demand, but keeps no review queue', async () => {
    const a = newId();
    const b = newId();
    await people.call(
      users.owner,
      'PUT',
      `/people/persons/${a}`,
      aPerson({ givenName: 'Seydou', familyName: 'Keita' }),
    );
    await people.call(
      users.other,
      'PUT',
      `/people/persons/${b}`,
      aPerson({ givenName: 'Seydou', familyName: 'Keïta' }),
    );
    const onDemand = await people.call(users.hub, 'GET', `/people/persons/${a}/candidates`);
    expect(onDemand.body.items.map((c: { person: { id: string } }) => c.person.id)).toEqual([b]);
    // Registrations are on the stream, yet no matcher consumes them from this replica.
    await eventually(() => expect(people.eventsOfType('people.person-registered')).toHaveLength(2));
    const nats = await connect({ servers: process.env.NATS_URL });
    try {
      const jsm = await jetstreamManager(nats);
      const consumers = await jsm.consumers.list(streamNames(people.namespace).events).next();
      expect(consumers.map((c) => c.name)).not.toContain('people-matcher');
    } finally {
      await nats.close();
    }
    expect((await people.call(users.hub, 'GET', '/people/candidates')).body.items).toEqual([]);
  });
});
