import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { urlFor } from '#persistence';
import { eventually } from '#testing';
import { appRole } from '../src/config.js';
import { aContact, newId, owner, startOutings, users, type Outings } from './outings-app.js';

const other = 'casa-della-carita';

// Street contacts are seen as the person is: the people service's events (registration, consents,
// restrictions, links) keep a view of that here, and the service and row-level security both
// follow it. Events go through the real stream and the app's own consumer.
describe('who sees a street contact, as the people service says', () => {
  let outings: Outings;
  let outing: { id: string; memberId: string };
  let otherOuting: { id: string; memberId: string };
  let asApp: pg.Client;

  beforeAll(async () => {
    outings = await startOutings();
    outing = await outings.outingOut(users.owner, users.ownerCoordinator);
    otherOuting = await outings.outingOut(users.other, users.otherCoordinator, other);
    asApp = new pg.Client({
      connectionString: urlFor(outings.databaseUrl, {
        name: appRole,
        password: outings.config.database.appPassword,
      }),
    });
    await asApp.connect();
  });
  afterAll(async () => {
    await asApp?.end();
    await outings?.close();
  });

  /** A contact about `personId`, recorded by `user`'s organisation. */
  const contactAbout = async (personId: string, user: string = users.owner) => {
    const id = newId();
    const on = user === users.owner ? outing : otherOuting;
    const put = await outings.call(
      user,
      'PUT',
      `/outings/contacts/${id}`,
      aContact(on, { personId, anonymousDescription: null }),
    );
    expect(put.status).toBe(201);
    return id;
  };
  const status = async (user: string, id: string) =>
    (await outings.call(user, 'GET', `/outings/contacts/${id}`)).status;
  const listed = async (user: string, personId: string) =>
    (await outings.call(user, 'GET', `/outings/contacts?personId=${personId}`)).body.items.map(
      (c: { id: string }) => c.id,
    );
  /** The contact's row as the app's database role reads it under `organisation`'s partner settings. */
  const rowVisible = async (organisation: string, id: string) => {
    await asApp.query('begin');
    try {
      await asApp.query(`select set_config('accanto.organisation', $1, true)`, [organisation]);
      await asApp.query(`select set_config('accanto.roles', 'operator', true)`);
      return (await asApp.query('select id from contact where id = $1', [id])).rowCount === 1;
    } finally {
      await asApp.query('rollback');
    }
  };
  const consent = (personId: string, overrides: Record<string, unknown> = {}) => ({
    consentId: newId(),
    personId,
    scope: 'organisations',
    organisations: [other],
    purpose: 'continuity-of-care',
    lawfulBasis: 'consent',
    expiresAt: null,
    ...overrides,
  });

  it('another partner reads a person’s contacts while a consent names it, and not once revoked', async () => {
    const personId = newId();
    const id = await contactAbout(personId);
    expect(await status(users.other, id)).toBe(404);
    expect(await rowVisible(other, id)).toBe(false);

    const given = consent(personId);
    await outings.publishFromPeople('consent-given', given);
    await eventually(async () => expect(await status(users.other, id)).toBe(200));
    expect(await listed(users.other, personId)).toEqual([id]);
    expect(await rowVisible(other, id)).toBe(true);
    // Each read across the boundary is an event for the auditors, with who read it and on what basis.
    await eventually(() =>
      expect(
        outings.events.filter(
          (e) =>
            e.data.type === 'outings.contact-viewed' &&
            (e.data.subjects as { contactId: string }).contactId === id &&
            (e.data.actor as { organisation: string }).organisation === other,
        ),
      ).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ payload: { contactId: id, personId, basis: 'person' } }),
        }),
        expect.objectContaining({
          data: expect.objectContaining({ payload: { contactId: id, personId, basis: 'person' } }),
        }),
      ]),
    );
    // A partner the consent does not name still sees nothing.
    expect(await rowVisible('partner-04', id)).toBe(false);

    await outings.publishFromPeople('consent-revoked', { consentId: given.consentId, personId });
    await eventually(async () => expect(await status(users.other, id)).toBe(404));
    expect(await listed(users.other, personId)).toEqual([]);
    expect(await rowVisible(other, id)).toBe(false);
  });

  it('a consent that shares only the network card shares no contacts; one that shares the record does', async () => {
    const personId = newId();
    const id = await contactAbout(personId);
    const v2 = 2;
    await outings.publishFromPeople(
      'consent-given',
      consent(personId, { scope: 'network', organisations: [], shares: 'card' }),
      owner,
      v2,
    );
    // Applied in order: once the second consent shows, the first was applied before it.
    await outings.publishFromPeople(
      'consent-given',
      consent(personId, { organisations: ['partner-04'], shares: 'record' }),
      owner,
      v2,
    );
    await eventually(async () => expect(await rowVisible('partner-04', id)).toBe(true));
    expect(await status(users.other, id)).toBe(404);
    expect(await rowVisible(other, id)).toBe(false);
  });

  it('a consent to the whole network shares with every partner until it expires', async () => {
    const personId = newId();
    const id = await contactAbout(personId);
    // Long enough for the consent to be seen before it expires on a loaded CI machine.
    const expiresAt = new Date(Date.now() + 8_000);
    await outings.publishFromPeople(
      'consent-given',
      consent(personId, { scope: 'network', organisations: [], expiresAt: expiresAt.toISOString() }),
    );
    await eventually(async () => expect(await status(users.other, id)).toBe(200));
    expect(await rowVisible('partner-04', id)).toBe(true);
    await eventually(async () => expect(await status(users.other, id)).toBe(404), { timeoutMs: 20_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(await rowVisible(other, id)).toBe(false);
  });

  it('a person at special risk’s contacts are hidden despite consent, except from those the owner named', async () => {
    const personId = newId();
    const id = await contactAbout(personId);
    await outings.publishFromPeople(
      'consent-given',
      consent(personId, { scope: 'network', organisations: [] }),
    );
    await eventually(async () => expect(await status(users.other, id)).toBe(200));

    await outings.publishFromPeople('person-restriction-changed', {
      personId,
      restricted: true,
      organisations: [],
    });
    await eventually(async () => expect(await status(users.other, id)).toBe(404));
    expect(await rowVisible(other, id)).toBe(false);
    expect(await status(users.hub, id)).toBe(404);
    expect(await status(users.owner, id)).toBe(200);

    await outings.publishFromPeople('person-restriction-changed', {
      personId,
      restricted: true,
      organisations: [other],
    });
    await eventually(async () => expect(await status(users.other, id)).toBe(200));
    expect(await rowVisible(other, id)).toBe(true);
    expect(await rowVisible('partner-04', id)).toBe(false);
  });

  it('the organisation that registered the person reads another partner’s contacts with them, registered before or after', async () => {
    const before = newId();
    await outings.publishFromPeople('person-registered', registered(before), other);
    const after = newId();
    const recordedFirst = await contactAbout(after);
    await eventually(async () => expect(await status(users.other, await contactAbout(before))).toBe(200));
    await outings.publishFromPeople('person-registered', registered(after), other);
    await eventually(async () => expect(await status(users.other, recordedFirst)).toBe(200));
    expect(await rowVisible(other, recordedFirst)).toBe(true);
    // Anonymous contacts stay with the organisation that met the person.
    const anonymous = newId();
    await outings.call(users.owner, 'PUT', `/outings/contacts/${anonymous}`, aContact(outing));
    expect(await status(users.other, anonymous)).toBe(404);
    expect(await rowVisible(other, anonymous)).toBe(false);
  });

  it('a person’s contacts include those of every linked record the caller sees, until unlinked', async () => {
    const networkPersonId = newId();
    const mine = newId();
    const theirs = newId();
    await outings.publishFromPeople('person-registered', registered(mine), owner);
    await outings.publishFromPeople('person-registered', registered(theirs), other);
    const myContact = await contactAbout(mine);
    const theirContact = await contactAbout(theirs, users.other);
    const theirHidden = await contactAbout(newId(), users.other);

    await outings.publishFromPeople('person-linked', { networkPersonId, personIds: [mine, theirs] });
    // Linked, but the other partner's record is not shared with the owner: still only its own.
    await outings.publishFromPeople('consent-given', consent(mine, { organisations: ['partner-04'] }));
    await eventually(async () => expect(await rowVisible('partner-04', myContact)).toBe(true));
    expect(await listed(users.owner, mine)).toEqual([myContact]);
    expect(await listed(users.hub, mine)).toEqual([myContact, theirContact]);

    await outings.publishFromPeople('consent-given', consent(theirs, { organisations: [owner] }), other);
    await eventually(async () => expect(await listed(users.owner, mine)).toEqual([myContact, theirContact]));
    expect(await listed(users.owner, theirs)).toEqual([myContact, theirContact]);
    // The other partner was not named by the owner's person: it sees its own record's contacts only.
    expect(await listed(users.other, theirs)).toEqual([theirContact]);
    expect(await listed(users.owner, mine)).not.toContain(theirHidden);

    await outings.publishFromPeople('person-unlinked', { networkPersonId, personId: theirs }, other);
    await eventually(async () => expect(await listed(users.owner, mine)).toEqual([myContact]));
    expect(await listed(users.hub, mine)).toEqual([myContact]);
    expect(await listed(users.owner, theirs)).toEqual([theirContact]);
  });

  it('the same event delivered twice is applied once', async () => {
    const personId = newId();
    const id = await contactAbout(personId);
    const given = consent(personId);
    await outings.publishFromPeople('consent-given', given);
    await eventually(async () => expect(await status(users.other, id)).toBe(200));
    await outings.publishFromPeople('consent-revoked', { consentId: given.consentId, personId });
    await eventually(async () => expect(await status(users.other, id)).toBe(404));
    // The consent again under the same id (a redelivery) does not bring back what was revoked.
    await outings.publishFromPeople('consent-given', given);
    const fence = newId();
    const fenceContact = await contactAbout(fence);
    await outings.publishFromPeople('consent-given', consent(fence));
    await eventually(async () => expect(await status(users.other, fenceContact)).toBe(200));
    expect(await status(users.other, id)).toBe(404);
  });

  describe('authorization for a contact shared by consent', () => {
    let personId: string;
    let id: string;
    beforeAll(async () => {
      personId = newId();
      id = await contactAbout(personId);
      await outings.publishFromPeople('consent-given', consent(personId));
      await eventually(async () => expect(await status(users.other, id)).toBe(200));
    });

    it.each([
      ['owner', users.owner, 200],
      ['named partner', users.other, 200],
      ['partner not named', 'cri-milano.operator', 404],
      ['hub', users.hub, 200],
      ['lead', users.lead, 403],
      ['auditor', users.auditor, 403],
    ])('GET /outings/contacts/{id} as %s (%s) → %i', async (_, user, expected) => {
      expect(await status(user, id)).toBe(expected);
    });

    it.each([
      ['owner', users.owner, 200, true],
      ['named partner', users.other, 200, true],
      ['partner not named', 'cri-milano.operator', 200, false],
      ['hub', users.hub, 200, true],
      ['lead', users.lead, 403, false],
      ['auditor', users.auditor, 403, false],
    ])('GET /outings/contacts?personId as %s (%s) → %i', async (_, user, expected, sees) => {
      const response = await outings.call(user, 'GET', `/outings/contacts?personId=${personId}`);
      expect(response.status).toBe(expected);
      if (expected === 200)
        expect(response.body.items.map((c: { id: string }) => c.id)).toEqual(sees ? [id] : []);
    });
  });
});

const registered = (personId: string) => ({
  personId,
  identified: true,
  ageBand: '35-44',
  usualArea: 'stazione-centrale',
});
