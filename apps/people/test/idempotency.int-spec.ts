import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// api.md: a creating POST accepts an Idempotency-Key and replays the first response for a repeated
// key. Field apps resend what they could not confirm; a consent recorded twice would leave a copy
// active after the person revoked "it".
describe('creating POSTs with an Idempotency-Key', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople();
  });
  afterAll(async () => people?.close());

  const aRegisteredPerson = async () => {
    const id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    return id;
  };
  // One body, as a field app resends exactly what it sent (aConsent() dates each one it makes).
  const theConsent = aConsent();
  const giveConsent = (personId: string, key: string, consent = theConsent) =>
    people.call(users.owner, 'POST', `/people/persons/${personId}/consents`, consent, {
      'idempotency-key': key,
    });
  const consentsOf = async (personId: string) =>
    (await people.call(users.owner, 'GET', `/people/persons/${personId}/consents`)).body.items as Array<{
      id: string;
    }>;

  it('given a consent sent twice with one key, then one consent is recorded and published, and the repeat answers 200 with it as it is now', async () => {
    const personId = await aRegisteredPerson();
    const key = `consent-${newId()}`;
    const first = await giveConsent(personId, key);
    expect(first.status).toBe(201);
    const replay = await giveConsent(personId, key);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect((await consentsOf(personId)).map((c) => c.id)).toEqual([first.body.id]);

    // Revoked since: the repeat says so rather than creating it again.
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${personId}/consents/${first.body.id}/revoke`,
      {},
    );
    const afterRevocation = await giveConsent(personId, key);
    expect(afterRevocation.status).toBe(200);
    expect(afterRevocation.body).toMatchObject({ id: first.body.id, active: false });
    expect(await consentsOf(personId)).toHaveLength(1);
    // The stream keeps the log's order: once the revocation has arrived, every consent given before it has.
    const ofPerson = (type: string) =>
      people
        .eventsOfType(type)
        .filter((e) => (e.data.subjects as { personId: string }).personId === personId);
    await eventually(() => expect(ofPerson('people.consent-revoked')).toHaveLength(1));
    expect(ofPerson('people.consent-given')).toHaveLength(1);
  });

  it('given four concurrent sends with one key, then one consent is recorded and all four answer it', async () => {
    const personId = await aRegisteredPerson();
    const key = `retry-${newId()}`;
    const responses = await Promise.all(Array.from({ length: 4 }, () => giveConsent(personId, key)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(await consentsOf(personId)).toHaveLength(1);
  });

  it('given a key already used, then another consent, another person or another route with it is refused (422) and records nothing', async () => {
    const personId = await aRegisteredPerson();
    const otherPerson = await aRegisteredPerson();
    const key = `once-${newId()}`;
    expect((await giveConsent(personId, key)).status).toBe(201);
    expect((await giveConsent(personId, key, aConsent({ purpose: 'health-care' }))).status).toBe(422);
    expect((await giveConsent(otherPerson, key)).status).toBe(422);
    const refusal = await people.call(
      users.owner,
      'POST',
      `/people/persons/${personId}/consent-refusals`,
      { refusedAt: new Date(Date.now() - 60_000).toISOString() },
      { 'idempotency-key': key },
    );
    expect(refusal.status).toBe(422);
    expect(refusal.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await consentsOf(personId)).toHaveLength(1);
    expect(await consentsOf(otherPerson)).toHaveLength(0);
  });

  it('given a refusal sent twice with one key, then the repeat answers 200 with the first', async () => {
    const personId = await aRegisteredPerson();
    const send = () =>
      people.call(
        users.owner,
        'POST',
        `/people/persons/${personId}/consent-refusals`,
        { refusedAt: '2026-11-20T22:40:00.000Z' },
        { 'idempotency-key': 'refusal-0001' },
      );
    const first = await send();
    expect(first.status).toBe(201);
    const replay = await send();
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
  });

  it('given a consent without a key, then each send records one: the key is what makes a repeat', async () => {
    const personId = await aRegisteredPerson();
    for (let i = 0; i < 2; i++)
      expect(
        (await people.call(users.owner, 'POST', `/people/persons/${personId}/consents`, aConsent())).status,
      ).toBe(201);
    expect(await consentsOf(personId)).toHaveLength(2);
  });

  it('given a link sent twice with one key, then the repeat answers 200 with the network person the first made; without a key it is a conflict', async () => {
    const personIds = [await aRegisteredPerson(), await aRegisteredPerson()];
    const link = (headers: Record<string, string> = {}) =>
      people.call(users.hub, 'POST', '/people/links', { personIds, reason: 'stesso colloquio' }, headers);
    const key = { 'idempotency-key': `link-${newId()}` };
    const first = await link(key);
    expect(first.status).toBe(201);
    const replay = await link(key);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.records.map((r: { id: string }) => r.id).sort()).toEqual([...personIds].sort());
    expect((await link()).status).toBe(409);
  });

  it('given a malformed key, then 400 and nothing recorded', async () => {
    const personId = await aRegisteredPerson();
    const response = await giveConsent(personId, 'short');
    expect(response.status).toBe(400);
    expect(await consentsOf(personId)).toHaveLength(0);
  });
});
