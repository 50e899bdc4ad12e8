import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// Issue 3: per organisation, people with no consent, consent expiring within N days, consent refused.
describe('consent report', () => {
  let people: People;
  const ids = {
    none: newId(),
    expiring: newId(),
    lasting: newId(),
    refused: newId(),
    refusedThenGiven: newId(),
  };
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const daysAgo = (days: number) => inDays(-days);

  beforeAll(async () => {
    people = await startPeople();
    for (const id of Object.values(ids))
      await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${ids.expiring}/consents`,
      aConsent({ expiresAt: inDays(10) }),
    );
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${ids.lasting}/consents`,
      aConsent({ expiresAt: inDays(200) }),
    );
    await people.call(users.owner, 'POST', `/people/persons/${ids.refused}/consent-refusals`, {
      refusedAt: daysAgo(1),
    });
    await people.call(users.owner, 'POST', `/people/persons/${ids.refusedThenGiven}/consent-refusals`, {
      refusedAt: daysAgo(3),
    });
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${ids.refusedThenGiven}/consents`,
      aConsent({ givenAt: daysAgo(1) }),
    );
    // Another organisation's people never appear in this organisation's report.
    await people.call(users.other, 'PUT', `/people/persons/${newId()}`, aPerson());
  });
  afterAll(async () => people?.close());

  it('lists people without consent, consents expiring soon and refusals, for the organisation only', async () => {
    const report = await people.call(
      users.ownerCoordinator,
      'GET',
      '/people/reports/consents?expiringWithinDays=30',
    );
    expect(report.status).toBe(200);
    expect(report.body.withoutConsent).toEqual({ count: 1, personIds: [ids.none] });
    expect(report.body.expiring.items).toEqual([
      { personId: ids.expiring, consentId: expect.any(String), expiresAt: expect.any(String) },
    ]);
    expect(report.body.refused.items).toEqual([{ personId: ids.refused, refusedAt: expect.any(String) }]);
  });

  it('a longer window finds the later expiry too', async () => {
    const report = await people.call(
      users.ownerCoordinator,
      'GET',
      '/people/reports/consents?expiringWithinDays=365',
    );
    expect(report.body.expiring.count).toBe(2);
  });

  it('leaves forgotten people out of every list', async () => {
    const forgotten = { none: newId(), expiring: newId(), refused: newId() };
    for (const id of Object.values(forgotten))
      await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${forgotten.expiring}/consents`,
      aConsent({ expiresAt: inDays(5) }),
    );
    await people.call(users.owner, 'POST', `/people/persons/${forgotten.refused}/consent-refusals`, {
      refusedAt: daysAgo(1),
    });
    for (const id of Object.values(forgotten)) {
      const erased = await people.call(users.ownerCoordinator, 'POST', `/people/persons/${id}/forget`, {
        basis: 'person-request',
      });
      expect(erased.status).toBe(200);
    }
    const report = await people.call(
      users.ownerCoordinator,
      'GET',
      '/people/reports/consents?expiringWithinDays=30',
    );
    const named = JSON.stringify(report.body);
    for (const id of Object.values(forgotten)) expect(named).not.toContain(id);
    expect(report.body.withoutConsent.personIds).toEqual([ids.none]);
  });

  it('a consent that shares only the network card counts as a consent, and its expiry as one', async () => {
    const id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    const given = await people.call(
      users.owner,
      'POST',
      `/people/persons/${id}/consents`,
      aConsent({ scope: 'network', organisations: [], shares: 'card', expiresAt: inDays(3) }),
    );
    expect(given.status).toBe(201);
    const report = await people.call(
      users.ownerCoordinator,
      'GET',
      '/people/reports/consents?expiringWithinDays=30',
    );
    expect(report.body.withoutConsent.personIds).not.toContain(id);
    expect(report.body.expiring.items).toContainEqual(
      expect.objectContaining({ personId: id, consentId: given.body.id }),
    );
  });

  it('a refusal never opens the record to anyone', async () => {
    expect((await people.call(users.other, 'GET', `/people/persons/${ids.refused}`)).status).toBe(404);
  });

  it('a refusal in the future or with unknown fields is refused', async () => {
    expect(
      (
        await people.call(users.owner, 'POST', `/people/persons/${ids.none}/consent-refusals`, {
          refusedAt: inDays(2),
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await people.call(users.owner, 'POST', `/people/persons/${ids.none}/consent-refusals`, {
          refusedAt: daysAgo(1),
          why: 'x',
        })
      ).status,
    ).toBe(422);
  });
});
