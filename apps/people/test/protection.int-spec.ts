import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// Issue 3: a person at special risk is hidden from search and from everyone the owner did not name,
// even where a consent would share the record — and the hub does not even learn it exists.
describe('protected people', () => {
  let people: People;
  beforeAll(async () => {
    people = await startPeople();
  });
  afterAll(async () => people?.close());

  const restrict = (user: string, id: string, etag: string, body: Record<string, unknown>) =>
    people.call(user, 'PUT', `/people/persons/${id}/restriction`, body, { 'if-match': etag });

  it('a restricted record is readable only by its owner and the organisations it names', async () => {
    const id = newId();
    const registered = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ givenName: 'Blessing', familyName: 'Okafor', nationality: 'NG' }),
    );
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${id}/consents`,
      aConsent({ scope: 'network', organisations: [] }),
    );
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).status).toBe(200);

    const restricted = await restrict(users.owner, id, registered.headers.get('etag')!, {
      restricted: true,
      reason: 'trafficking',
      organisations: ['partner-07'],
    });
    expect(restricted.status).toBe(200);
    expect(restricted.body).toMatchObject({
      restricted: true,
      restriction: { reason: 'trafficking', organisations: ['partner-07'] },
    });

    // The network consent no longer opens it; the hub does not see it either; lists and search are silent.
    for (const user of [users.other, users.hub, users.third]) {
      expect((await people.call(user, 'GET', `/people/persons/${id}`)).status).toBe(404);
      const listed = await people.call(user, 'GET', '/people/persons?limit=200');
      expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
      expect((await people.call(user, 'GET', '/people/persons?q=blessing okafor')).body.items).toEqual([]);
    }
    // The organisation named reads it, without learning why; it does not find it by search.
    const named = await people.call('partner-07.operator', 'GET', `/people/persons/${id}`);
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ access: 'restriction', restricted: true, restriction: null });
    expect((await people.call('partner-07.operator', 'GET', '/people/persons?q=okafor')).body.items).toEqual(
      [],
    );
    // The owner still finds its own person.
    expect(
      (await people.call(users.owner, 'GET', '/people/persons?q=okafor')).body.items.map(
        (p: { id: string }) => p.id,
      ),
    ).toContain(id);

    const changed = await eventually(() => {
      const event = people
        .eventsOfType('people.person-restriction-changed')
        .find((e) => (e.data.subjects as { personId: string }).personId === id);
      expect(event).toBeDefined();
      return event!;
    });
    expect(changed.data.payload).toEqual({ personId: id, restricted: true, organisations: ['partner-07'] });
    expect(JSON.stringify(people.events)).not.toMatch(/trafficking|Blessing|Okafor/);
  });

  it('an operator may protect at once; only a coordinator lifts it', async () => {
    const id = newId();
    const registered = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    const protectedNow = await restrict(users.owner, id, registered.headers.get('etag')!, {
      restricted: true,
      reason: 'violence',
    });
    expect(protectedNow.status).toBe(200);
    const etag = protectedNow.headers.get('etag')!;
    expect((await restrict(users.owner, id, etag, { restricted: false })).status).toBe(403);
    expect((await people.call(users.hub, 'GET', `/people/persons/${id}`)).status).toBe(404);
    const lifted = await restrict(users.ownerCoordinator, id, etag, { restricted: false });
    expect(lifted.status).toBe(200);
    expect((await people.call(users.hub, 'GET', `/people/persons/${id}`)).status).toBe(200);
    // A stale ETag changes nothing.
    expect(
      (await restrict(users.ownerCoordinator, id, etag, { restricted: true, reason: 'violence' })).status,
    ).toBe(412);
  });

  it('the hub reads a restricted record only when the owner names it', async () => {
    const id = newId();
    const registered = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    await restrict(users.owner, id, registered.headers.get('etag')!, {
      restricted: true,
      reason: 'anonymity-request',
      organisations: ['centro-sammartini'],
    });
    const read = await people.call(users.hub, 'GET', `/people/persons/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.access).toBe('restriction');
  });

  it('bad restriction input is refused and changes nothing', async () => {
    const id = newId();
    const registered = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    const etag = registered.headers.get('etag')!;
    expect((await restrict(users.owner, id, etag, { restricted: true })).status).toBe(422);
    expect((await restrict(users.owner, id, etag, { restricted: true, reason: 'because' })).status).toBe(422);
    expect(
      (await restrict(users.owner, id, etag, { restricted: false, organisations: ['partner-07'] })).status,
    ).toBe(422);
    expect(
      (
        await people.call(users.owner, 'PUT', `/people/persons/${id}/restriction`, {
          restricted: true,
          reason: 'violence',
        })
      ).status,
    ).toBe(428);
    expect((await people.call(users.owner, 'GET', `/people/persons/${id}`)).body).toMatchObject({
      restricted: false,
      version: 1,
    });
  });
});

describe('access log', () => {
  let people: People;
  let id: string;
  beforeAll(async () => {
    people = await startPeople();
    id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    await people.call(users.other, 'GET', `/people/persons/${id}`);
    await people.call(users.hub, 'GET', `/people/persons/${id}`);
  });
  afterAll(async () => people?.close());

  it('tells the owner’s coordinators who read or changed the record, under which role and basis', async () => {
    const log = await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/access-log`);
    expect(log.status).toBe(200);
    const entries = log.body.items.map(
      (e: { action: string; basis: string; actor: { organisation: string; roles: string[] } }) => ({
        action: e.action,
        basis: e.basis,
        organisation: e.actor.organisation,
      }),
    );
    expect(entries).toEqual([
      { action: 'register', basis: 'owner', organisation: 'volontari-milano-aperta' },
      { action: 'consent-given', basis: 'owner', organisation: 'volontari-milano-aperta' },
      { action: 'read', basis: 'consent', organisation: 'casa-della-carita' },
      { action: 'read', basis: 'hub', organisation: 'centro-sammartini' },
    ]);
    expect(log.body.items[2].consentId).toEqual(expect.any(String));
    expect(log.body.items[3].actor.roles).toContain('hub');
  });

  it('gives auditors the network’s history without personal data', async () => {
    const log = await people.call(users.auditor, 'GET', '/people/access-log?organisation=centro-sammartini');
    expect(log.body.items).toEqual([expect.objectContaining({ personId: id, action: 'read', basis: 'hub' })]);
    expect(JSON.stringify(log.body)).not.toMatch(/Ionu|Popescu|Johnny/);
  });
});
