import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { natsSubject } from '#messaging';
import { eventually } from '#testing';
import { aContact, newId, owner, startOutings, users, type Outings } from './outings-app.js';

// Street contacts: recorded by the team that met the person (offline, in batches), read by the
// owning organisation and the hub, published without names or descriptions, anonymised on erasure.
describe('street contacts', () => {
  let outings: Outings;
  let outing: { id: string; memberId: string };
  beforeAll(async () => {
    outings = await startOutings();
    outing = await outings.outingOut(users.owner, users.ownerCoordinator);
  });
  afterAll(async () => outings?.close());

  const put = (id: string, body: unknown, user: string = users.owner) =>
    outings.call(user, 'PUT', `/outings/contacts/${id}`, body);
  const contactEvents = (id: string) =>
    outings.events.filter((e) => (e.data.subjects as { contactId?: string }).contactId === id);
  /** The relay publishes in log order: once a later event is on the stream, so is everything before it. */
  const fence = async () => {
    const { id } = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    await eventually(() =>
      expect(outings.events.some((e) => (e.data.subjects as { outingId?: string }).outingId === id)).toBe(
        true,
      ),
    );
  };

  /** What the people service would publish, straight onto the test's stream. */
  const publishFromPeople = async (
    event: string,
    payload: Record<string, unknown> & { personId: string },
  ) => {
    const nats = await connect({ servers: process.env.NATS_URL! });
    try {
      const envelope = {
        id: newId(),
        type: `people.${event}`,
        version: 1,
        occurredAt: new Date().toISOString(),
        recordedAt: new Date().toISOString(),
        organisation: owner,
        actor: { userId: 'people-coordinator', organisation: owner, roles: ['coordinator'] },
        correlationId: newId(),
        causationId: null,
        subjects: { personId: payload.personId },
        payload,
      };
      const h = headers();
      h.set('Nats-Msg-Id', envelope.id);
      await jetstream(nats).publish(
        natsSubject(`accanto.people.${event}.v1`, outings.namespace),
        JSON.stringify(envelope),
        {
          headers: h,
        },
      );
    } finally {
      await nats.close();
    }
  };

  it('parks a people event it cannot read, and readiness counts it until someone deals with it', async () => {
    const deadLetters = async () =>
      (await outings.call(null, 'GET', '/outings/health/ready')).body.counters.deadLetters as number;
    const before = await deadLetters();
    // An envelope whose payload the contract refuses (person-registered needs more than an id).
    await publishFromPeople('person-registered', { personId: newId() });
    await eventually(async () => expect(await deadLetters()).toBe(before + 1));
    const ready = await outings.call(null, 'GET', '/outings/health/ready');
    expect(ready.status).toBe(200);
  });

  it('records a contact once; the same upload again changes nothing, a different one is refused', async () => {
    const id = newId();
    const first = await put(id, aContact(outing));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id,
      organisation: owner,
      place: { area: 'stazione-centrale', description: 'sotto i portici, lato binario 21' },
      anonymousDescription: 'uomo sui 40, giacca rossa, parla rumeno',
      services: { 'hot-drink': 1, blanket: 1, listening: 1 },
      forgotten: false,
    });
    const again = await put(id, aContact(outing));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await put(id, aContact(outing, { beddedDown: false }))).status).toBe(409);
    await fence();
    expect(contactEvents(id).map((e) => e.data.type)).toEqual(['outings.contact-recorded']);
  });

  it('publishes what reporting counts, and nothing that describes or places the person', async () => {
    const id = newId();
    await put(id, aContact(outing));
    const [event] = await eventually(() => {
      const found = contactEvents(id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(event.data).toMatchObject({ occurredAt: '2026-11-10T21:40:00.000Z', organisation: owner });
    expect(event.data.payload).toEqual({
      contactId: id,
      outingId: outing.id,
      unitId: expect.any(String),
      night: '2026-11-10',
      personId: null,
      area: 'stazione-centrale',
      beddedDown: true,
      livingSituation: 'station',
      services: { 'hot-drink': 1, blanket: 1, listening: 1 },
      referrals: ['hub'],
      firstContact: true,
    });
    expect(JSON.stringify(event.data)).not.toMatch(/giacca|portici|45\.48|9\.20/);
  });

  it('answers a field app’s queue contact by contact: the good ones stored, the bad ones with the reason', async () => {
    const otherOuting = await outings.outingOut(users.other, users.otherCoordinator, 'casa-della-carita');
    const othersId = newId();
    expect((await put(othersId, aContact(otherOuting), users.other)).status).toBe(201);
    const recordedBefore = newId();
    expect((await put(recordedBefore, aContact(outing))).status).toBe(201);

    const good = [
      { id: newId(), ...aContact(outing) },
      { id: newId(), ...aContact(outing, { personId: newId(), anonymousDescription: null }) },
    ];
    const bad = {
      schema: { id: newId(), ...aContact(outing, { beddedDown: 'yes' }) },
      unknownOuting: { id: newId(), ...aContact(outing, { outingId: newId() }) },
      notInTeam: { id: newId(), ...aContact(outing, { memberId: newId() }) },
      otherNight: { id: newId(), ...aContact(outing, { occurredAt: '2026-11-20T22:00:00+01:00' }) },
      unknownArea: {
        id: newId(),
        ...aContact(outing, {
          place: { area: 'atlantide', latitude: null, longitude: null, description: null },
        }),
      },
      othersId: { id: othersId, ...aContact(outing) },
      otherDetails: { id: recordedBefore, ...aContact(outing, { beddedDown: false }) },
    };
    const queue = [good[0], ...Object.values(bad), good[1]];
    const answer = await outings.call(users.owner, 'POST', '/outings/contacts/batch', { contacts: queue });
    expect(answer.status).toBe(200);
    const rejected = (field: string, rule: string) => ({
      status: 'rejected',
      problem: expect.objectContaining({
        type: expect.stringMatching(/\/validation$/),
        title: 'Invalid request',
        errors: [expect.objectContaining({ field, rule })],
      }),
    });
    expect(answer.body.items).toEqual([
      { id: good[0].id, status: 'accepted' },
      { id: bad.schema.id, ...rejected('body.contacts.1.beddedDown', 'invalid_type') },
      { id: bad.unknownOuting.id, ...rejected('body.contacts.2.outingId', 'unknown_outing') },
      { id: bad.notInTeam.id, ...rejected('body.contacts.3.memberId', 'not_in_team') },
      { id: bad.otherNight.id, ...rejected('body.contacts.4.occurredAt', 'other_night') },
      { id: bad.unknownArea.id, ...rejected('body.contacts.5.place.area', 'unknown_area') },
      {
        id: othersId,
        status: 'rejected',
        problem: expect.objectContaining({ type: expect.stringMatching(/\/not-found$/), status: 404 }),
      },
      {
        id: recordedBefore,
        status: 'rejected',
        problem: expect.objectContaining({ type: expect.stringMatching(/\/conflict$/), status: 409 }),
      },
      { id: good[1].id, status: 'accepted' },
    ]);
    for (const { id } of good)
      expect((await outings.call(users.owner, 'GET', `/outings/contacts/${id}`)).status).toBe(200);
    for (const { id } of [bad.schema, bad.unknownOuting, bad.notInTeam, bad.otherNight, bad.unknownArea])
      expect((await outings.call(users.owner, 'GET', `/outings/contacts/${id}`)).status).toBe(404);
    const other = await outings.call(users.other, 'GET', `/outings/contacts/${othersId}`);
    expect(other.body.outingId).toBe(otherOuting.id);
    expect(
      (await outings.call(users.owner, 'GET', `/outings/contacts/${recordedBefore}`)).body.beddedDown,
    ).toBe(true);

    await fence();
    const recorded = (id: string) =>
      contactEvents(id).filter((e) => e.data.type === 'outings.contact-recorded').length;
    expect(queue.map((c) => recorded(c.id))).toEqual([1, 0, 0, 0, 0, 0, 1, 1, 1]);

    // Sent again: every accepted one is a duplicate, nothing new is stored or published.
    const eventsBefore = outings.events.length;
    const resent = await outings.call(users.owner, 'POST', '/outings/contacts/batch', { contacts: good });
    expect(resent.status).toBe(200);
    expect(resent.body.items).toEqual(good.map(({ id }) => ({ id, status: 'duplicate' })));
    await fence();
    expect(outings.events.length).toBe(eventsBefore + 1); // the fence's own outing-planned
    expect(queue.map((c) => recorded(c.id))).toEqual([1, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('takes a queue of 500 contacts', async () => {
    const queue = Array.from({ length: 500 }, () => ({ id: newId(), ...aContact(outing) }));
    const answer = await outings.call(users.owner, 'POST', '/outings/contacts/batch', { contacts: queue });
    expect(answer.status).toBe(200);
    expect(answer.body.items.filter((i: { status: string }) => i.status === 'accepted')).toHaveLength(500);
  });

  it('belongs to an outing of the organisation that is out or back, on that outing’s night', async () => {
    const planned = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    const notOut = await put(newId(), aContact({ id: planned.id, memberId: planned.body.team[0].memberId }));
    expect(notOut.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'body.outingId', rule: 'outing_not_out' })]),
    );
    const otherNight = await put(newId(), aContact(outing, { occurredAt: '2026-11-12T22:00:00+01:00' }));
    expect(otherNight.body.errors).toEqual([
      expect.objectContaining({ field: 'body.occurredAt', rule: 'other_night' }),
    ]);
    // After midnight is still the same night.
    expect((await put(newId(), aContact(outing, { occurredAt: '2026-11-11T00:50:00+01:00' }))).status).toBe(
      201,
    );
    const theirs = await outings.outingOut(users.other, users.otherCoordinator, 'casa-della-carita');
    const borrowed = await put(newId(), aContact(theirs));
    expect(borrowed.body.errors).toEqual([
      expect.objectContaining({ field: 'body.outingId', rule: 'unknown_outing' }),
    ]);
  });

  it('is read by the owner and the hub, each hub read recorded; other partners do not see it', async () => {
    const id = newId();
    await put(id, aContact(outing));
    expect((await outings.call(users.other, 'GET', `/outings/contacts/${id}`)).status).toBe(404);
    const theirList = await outings.call(users.other, 'GET', `/outings/contacts?outingId=${outing.id}`);
    expect(theirList.body.items).toEqual([]);
    const hub = await outings.call(users.hub, 'GET', `/outings/contacts/${id}`);
    expect(hub.status).toBe(200);
    expect(hub.body.anonymousDescription).toBe('uomo sui 40, giacca rossa, parla rumeno');
    await eventually(() =>
      expect(contactEvents(id).find((e) => e.data.type === 'outings.contact-viewed')?.data).toMatchObject({
        organisation: owner,
        actor: { organisation: 'centro-sammartini', roles: ['hub'] },
        payload: { contactId: id, personId: null, basis: 'hub' },
      }),
    );
    // The owner's own reads are not crossings: no event.
    await outings.call(users.owner, 'GET', `/outings/contacts/${id}`);
    await fence();
    expect(contactEvents(id).filter((e) => e.data.type === 'outings.contact-viewed')).toHaveLength(1);
  });

  it('lists the owner’s contacts of an outing a page at a time', async () => {
    const mine = await outings.outingOut(users.owner, users.ownerCoordinator);
    const ids = [newId(), newId(), newId()];
    for (const id of ids) await put(id, aContact(mine));
    const first = await outings.call(users.owner, 'GET', `/outings/contacts?outingId=${mine.id}&limit=2`);
    const rest = await outings.call(
      users.owner,
      'GET',
      `/outings/contacts?outingId=${mine.id}&cursor=${first.body.next}`,
    );
    expect([...first.body.items, ...rest.body.items].map((c: { id: string }) => c.id)).toEqual(ids);
    expect(rest.body.next).toBeNull();
  });

  it('anonymises an erased person’s contacts, and those a field app uploads afterwards', async () => {
    const personId = newId();
    const before = newId();
    await put(before, aContact(outing, { personId, anonymousDescription: null }));

    await publishFromPeople('person-forgotten', { personId });

    const forgotten = await eventually(async () => {
      const read = await outings.call(users.owner, 'GET', `/outings/contacts/${before}`);
      expect(read.body.forgotten).toBe(true);
      return read.body;
    });
    expect(forgotten).toMatchObject({
      personId: null,
      anonymousDescription: null,
      place: { area: 'stazione-centrale', latitude: null, longitude: null, description: null },
      services: { 'hot-drink': 1, blanket: 1, listening: 1 },
    });
    expect(
      (await outings.call(users.owner, 'GET', `/outings/contacts?personId=${personId}`)).body.items,
    ).toEqual([]);

    const after = newId();
    const late = await put(after, aContact(outing, { personId, anonymousDescription: null }));
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ personId: null, forgotten: true, place: { description: null } });
    await eventually(() => expect(contactEvents(after)[0]?.data.payload).toMatchObject({ personId: null }));
  });
  it('hides a person at special risk’s contacts from the hub, unless the owner named it', async () => {
    const personId = newId();
    const id = newId();
    await put(id, aContact(outing, { personId, anonymousDescription: null }));
    const hubSees = async () => (await outings.call(users.hub, 'GET', `/outings/contacts/${id}`)).status;
    expect(await hubSees()).toBe(200);

    await publishFromPeople('person-restriction-changed', { personId, restricted: true, organisations: [] });
    await eventually(async () => expect(await hubSees()).toBe(404));
    const listed = await outings.call(users.hub, 'GET', `/outings/contacts?personId=${personId}`);
    expect(listed.body.items).toEqual([]);
    expect((await outings.call(users.owner, 'GET', `/outings/contacts/${id}`)).status).toBe(200);

    await publishFromPeople('person-restriction-changed', {
      personId,
      restricted: true,
      organisations: ['centro-sammartini'],
    });
    await eventually(async () => expect(await hubSees()).toBe(200));
    await publishFromPeople('person-restriction-changed', { personId, restricted: true, organisations: [] });
    await eventually(async () => expect(await hubSees()).toBe(404));
    await publishFromPeople('person-restriction-changed', { personId, restricted: false, organisations: [] });
    await eventually(async () => expect(await hubSees()).toBe(200));
  });
});
