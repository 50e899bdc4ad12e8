import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// The network card (architecture.md §5): alias, age band and usual area, for partners the person agreed
// to show it to, while the record itself stays theirs; never for a person at special risk.
describe('network cards', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople();
  });
  afterAll(async () => people?.close());

  const unique = () =>
    newId()
      .slice(-8)
      .replace(/[^a-f]/g, 'x');
  /** The owner registers someone with a street name no other test uses, and returns the id and name. */
  const registered = async (overrides: Record<string, unknown> = {}) => {
    const streetName = `Baffo ${unique()}`;
    const id = newId();
    const answer = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ aliases: [{ name: streetName, kind: 'street-name' }], ...overrides }),
    );
    expect(answer.status).toBe(201);
    return { id, streetName, etag: answer.headers.get('etag')! };
  };
  const card = (user: string, id: string) => people.call(user, 'GET', `/people/persons/${id}/card`);
  const found = async (user: string, query: string) => {
    const answer = await people.call(user, 'GET', `/people/cards?${query}`);
    expect(answer.status).toBe(200);
    return answer.body.items.map((c: { personId: string }) => c.personId);
  };
  const shareCard = (id: string, overrides: Record<string, unknown> = {}) =>
    people.call(
      users.owner,
      'POST',
      `/people/persons/${id}/consents`,
      aConsent({ scope: 'network', organisations: [], shares: 'card', ...overrides }),
    );

  it('a consent that shares the card shows it to every partner, and not the record', async () => {
    const { id, streetName } = await registered();
    const word = streetName.split(' ')[1];
    expect((await card(users.other, id)).status).toBe(404);
    expect(await found(users.other, `alias=${word}`)).toEqual([]);

    const consent = await shareCard(id);
    expect(consent.status).toBe(201);
    expect(consent.body).toMatchObject({ shares: 'card', scope: 'network' });

    const seen = await card(users.other, id);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({
      personId: id,
      ownerOrganisation: 'volontari-milano-aperta',
      aliases: [streetName.toLowerCase()],
      ageBand: '45-54',
      usualArea: 'stazione-centrale',
      access: 'consent',
      wholeRecord: false,
    });
    expect(JSON.stringify(seen.body)).not.toMatch(/Ionu|Popescu|1979/);
    // The record stays the owner's: not readable, not listed, not found by name.
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).status).toBe(404);
    const listed = await people.call(users.other, 'GET', '/people/persons?q=popescu&limit=200');
    expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
    // Found by a word of the street name, with the area; not by the names the card does not show.
    expect(await found(users.other, `alias=${word.toUpperCase()}&usualArea=stazione-centrale`)).toEqual([id]);
    expect(await found(users.other, `alias=${word}&usualArea=porta-garibaldi`)).toEqual([]);
    expect(await found(users.third, 'alias=popescu&limit=200')).not.toContain(id);

    // The event says what the consent shares, so other services do not take it for the record's.
    const given = await eventually(() => {
      const event = people
        .eventsOfType('people.consent-given')
        .find((e) => (e.data.payload as { consentId: string }).consentId === consent.body.id);
      expect(event).toBeDefined();
      return event!;
    });
    expect(given.data).toMatchObject({ version: 2, payload: { shares: 'card', scope: 'network' } });

    const revoked = await people.call(
      users.owner,
      'POST',
      `/people/persons/${id}/consents/${consent.body.id}/revoke`,
      {},
    );
    expect(revoked.status).toBe(200);
    expect((await card(users.other, id)).status).toBe(404);
    expect(await found(users.other, `alias=${word}`)).toEqual([]);
  });

  it('a new street name in the record is on the card at once, and the old one finds it no more', async () => {
    const { id, streetName, etag } = await registered();
    await shareCard(id);
    const renamed = `Capitano ${unique()}`;
    const replaced = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ aliases: [{ name: renamed, kind: 'street-name' }] }),
      { 'if-match': etag },
    );
    expect(replaced.status).toBe(200);
    expect((await card(users.other, id)).body.aliases).toEqual([renamed.toLowerCase()]);
    expect(await found(users.other, `alias=${renamed.split(' ')[1]}`)).toEqual([id]);
    expect(await found(users.other, `alias=${streetName.split(' ')[1]}`)).toEqual([]);
  });

  it('a consent that shares the record brings the card, marked as such', async () => {
    const { id } = await registered();
    await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    expect((await card(users.other, id)).body).toMatchObject({ access: 'consent', wholeRecord: true });
    // A partner the consent does not name sees neither.
    expect((await card(users.third, id)).status).toBe(404);
  });

  it('the hub reads cards, the owner its own; each card read is in the owner’s access log', async () => {
    const { id } = await registered({ birthDate: null, birthDateQuality: 'unknown', estimatedAge: 30 });
    expect((await card(users.hub, id)).body).toMatchObject({
      access: 'hub',
      wholeRecord: true,
      ageBand: '25-34',
    });
    expect((await card(users.owner, id)).body).toMatchObject({ access: 'owner', wholeRecord: true });
    const log = await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/access-log`);
    expect(
      log.body.items
        .filter((e: { action: string }) => e.action === 'card')
        .map((e: { actor: { organisation: string }; basis: string }) => [e.actor.organisation, e.basis]),
    ).toEqual([
      ['centro-sammartini', 'hub'],
      ['volontari-milano-aperta', 'owner'],
    ]);
  });

  it('a restricted person’s card is hidden despite the consent, but from those the owner named', async () => {
    const { id, streetName, etag } = await registered();
    const word = streetName.split(' ')[1];
    await shareCard(id);
    expect((await card(users.other, id)).status).toBe(200);

    const restricted = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}/restriction`,
      { restricted: true, reason: 'violence', organisations: ['partner-07'] },
      { 'if-match': etag },
    );
    expect(restricted.status).toBe(200);
    for (const user of [users.other, users.third, users.hub]) {
      expect((await card(user, id)).status).toBe(404);
      expect(await found(user, `alias=${word}`)).toEqual([]);
    }
    // The organisation named reads the card by id, and does not find it by search; the owner does.
    expect((await card('partner-07.operator', id)).body).toMatchObject({ access: 'restriction' });
    expect(await found('partner-07.operator', `alias=${word}`)).toEqual([]);
    expect(await found(users.owner, `alias=${word}`)).toEqual([id]);
  });

  it('a forgotten person has no card, not even for its owner', async () => {
    const { id, streetName } = await registered();
    await shareCard(id);
    const forgotten = await people.call(users.ownerCoordinator, 'POST', `/people/persons/${id}/forget`, {
      basis: 'person-request',
    });
    expect(forgotten.status).toBe(200);
    for (const user of [users.owner, users.other, users.hub]) expect((await card(user, id)).status).toBe(404);
    expect(await found(users.owner, `alias=${streetName.split(' ')[1]}`)).toEqual([]);
  });

  it('a search pages through the cards past a cursor, and refuses an alias of one letter or of no word', async () => {
    const area = `area-${unique()}`;
    const ids = [(await registered({ usualArea: area })).id, (await registered({ usualArea: area })).id];
    const first = await people.call(users.hub, 'GET', `/people/cards?usualArea=${area}&limit=1`);
    expect(first.body.items.map((c: { personId: string }) => c.personId)).toEqual([ids[0]]);
    const second = await people.call(
      users.hub,
      'GET',
      `/people/cards?usualArea=${area}&limit=1&cursor=${first.body.next}`,
    );
    expect(second.body).toMatchObject({ items: [{ personId: ids[1] }], next: null });
    for (const alias of ['b', encodeURIComponent('«»')]) {
      const refused = await people.call(users.hub, 'GET', `/people/cards?alias=${alias}`);
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });
});
