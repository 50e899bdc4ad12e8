import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// architecture.md §5: the owner reads and writes; other partners read only under an active consent
// naming them; the hub reads and each read is an event; lead and auditor see no personal data.
describe('who sees a person', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople();
  });
  afterAll(async () => people?.close());

  it('follows the owner, consent, revocation and hub rules, and records cross-boundary reads', async () => {
    const id = newId();
    const registered = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      id,
      ownerOrganisation: 'volontari-milano-aperta',
      access: 'owner',
    });

    // Another partner: as if it did not exist, in reads, lists and search.
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).status).toBe(404);
    const listed = await people.call(users.other, 'GET', '/people/persons');
    expect(listed.body).toEqual({ items: [], next: null });
    expect((await people.call(users.other, 'GET', '/people/persons?q=popescu')).body.items).toEqual([]);

    // A consent naming the other partner opens the record to it, and to nobody else.
    const consent = await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    expect(consent.status).toBe(201);
    const shared = await people.call(users.other, 'GET', `/people/persons/${id}`);
    expect(shared.status).toBe(200);
    expect(shared.body).toMatchObject({ id, givenName: 'Ionuț', access: 'consent' });
    expect(
      (await people.call(users.other, 'GET', '/people/persons?q=ionut popesku')).body.items,
    ).toHaveLength(1);
    expect((await people.call(users.third, 'GET', `/people/persons/${id}`)).status).toBe(404);
    // Reading is not writing.
    expect(
      (await people.call(users.other, 'PUT', `/people/persons/${id}`, aPerson(), { 'if-match': '"1"' }))
        .status,
    ).toBe(404);

    // Revoked: hidden again.
    const revoked = await people.call(
      users.owner,
      'POST',
      `/people/persons/${id}/consents/${consent.body.id}/revoke`,
      {
        reason: 'la persona ha ritirato il consenso',
      },
    );
    expect(revoked.status).toBe(200);
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).status).toBe(404);
    expect((await people.call(users.other, 'GET', '/people/persons?q=popescu')).body.items).toEqual([]);

    // The hub reads, and the read is an event carrying the hub's actor and no names.
    const hubRead = await people.call(users.hub, 'GET', `/people/persons/${id}`);
    expect(hubRead.status).toBe(200);
    expect(hubRead.body.access).toBe('hub');
    const viewed = await eventually(() => {
      const found = people
        .eventsOfType('people.person-viewed')
        .find((e) => (e.data.actor as { organisation: string }).organisation === 'centro-sammartini');
      expect(found).toBeDefined();
      return found!;
    });
    expect(viewed.data).toMatchObject({
      organisation: 'volontari-milano-aperta',
      subjects: { personId: id },
      actor: { organisation: 'centro-sammartini', roles: expect.arrayContaining(['hub']) },
      payload: { personId: id, basis: 'hub', consentId: null },
    });
    // The consented read earlier was recorded too, with its consent.
    expect(
      people
        .eventsOfType('people.person-viewed')
        .some((e) => (e.data.payload as { consentId: string }).consentId === consent.body.id),
    ).toBe(true);

    // Lead and auditor: no personal data at all.
    for (const user of [users.lead, users.auditor]) {
      expect((await people.call(user, 'GET', `/people/persons/${id}`)).status).toBe(403);
      expect((await people.call(user, 'GET', '/people/persons')).status).toBe(403);
    }
    expect(JSON.stringify(people.events)).not.toMatch(/Ionu|Popescu|Johnny/);
  });

  it('expired consent hides the record again', async () => {
    const id = newId();
    await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ givenName: 'Amadou', familyName: 'Diallo', nationality: 'SN', languages: ['fr'] }),
    );
    // Deterministic: one consent that has expired, one that is still running; the policy's own unit
    // tests cover the moment of expiry.
    const day = 86_400_000;
    const expired = aConsent({
      givenAt: new Date(Date.now() - 10 * day).toISOString(),
      expiresAt: new Date(Date.now() - day).toISOString(),
    });
    expect((await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, expired)).status).toBe(
      201,
    );
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).status).toBe(404);
    expect((await people.call(users.other, 'GET', '/people/persons?q=diallo')).body.items).toEqual([]);
    const running = aConsent({ expiresAt: new Date(Date.now() + day).toISOString() });
    expect((await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, running)).status).toBe(
      201,
    );
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).status).toBe(200);
  });

  it('a network consent shares with every partner but not with lead or auditor', async () => {
    const id = newId();
    await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ givenName: 'Fatima', familyName: 'El Amrani', nationality: 'MA' }),
    );
    expect(
      (
        await people.call(
          users.owner,
          'POST',
          `/people/persons/${id}/consents`,
          aConsent({ scope: 'network', organisations: [] }),
        )
      ).status,
    ).toBe(201);
    expect((await people.call(users.third, 'GET', `/people/persons/${id}`)).status).toBe(200);
    expect((await people.call(users.lead, 'GET', `/people/persons/${id}`)).status).toBe(403);
  });

  it('only the owner manages consents', async () => {
    const id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    const consent = await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    expect((await people.call(users.other, 'GET', `/people/persons/${id}/consents`)).status).toBe(404);
    expect(
      (await people.call(users.other, 'POST', `/people/persons/${id}/consents`, aConsent())).status,
    ).toBe(404);
    expect(
      (await people.call(users.other, 'POST', `/people/persons/${id}/consents/${consent.body.id}/revoke`, {}))
        .status,
    ).toBe(404);
    expect((await people.call(users.hub, 'GET', `/people/persons/${id}/consents`)).status).toBe(403);
    const listed = await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/consents`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: consent.body.id, active: true })]);
  });
});
