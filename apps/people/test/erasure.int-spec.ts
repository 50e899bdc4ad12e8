import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { verifyChain } from '#messaging';
import { urlFor } from '#persistence';
import { eventually } from '#testing';
import {
  aConsent,
  aPerson,
  newId,
  ownerCoordinatorsOnly,
  startPeople,
  users,
  type People,
} from './people-app.js';

// Issue 3: identity fields and needs sealed with a per-person key; erasure destroys the key
// (crypto-shredding) and tells other services; holds keep what the law keeps (docs/adr/0009).
describe('sealed data and erasure', () => {
  let people: People;
  let owner: pg.Client;
  const needs = [{ category: 'pregnancy', note: 'seguita dal consultorio di via Conca del Naviglio' }];

  beforeAll(async () => {
    people = await startPeople();
    owner = new pg.Client({ connectionString: people.databaseUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await people?.close();
  });

  const register = async (overrides: Record<string, unknown> = {}) => {
    const id = newId();
    const created = await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}`,
      aPerson({ needs, ...overrides }),
    );
    expect(created.status).toBe(201);
    return { id, etag: created.headers.get('etag')! };
  };
  const forget = (user: string, id: string, body: unknown = { basis: 'person-request' }) =>
    people.call(user, 'POST', `/people/persons/${id}/forget`, body);
  const rowText = async (id: string) =>
    (await owner.query('select row_to_json(person)::text as text from person where id = $1', [id])).rows[0]
      .text;

  it('stores names and needs only sealed, and opens them for whoever may read the record', async () => {
    const { id } = await register({ familyName: 'Munteanu' });
    const text = await rowText(id);
    for (const clear of ['Munteanu', 'Ionuț', 'Johnny', '1979-03-14', 'pregnancy', 'consultorio'])
      expect(text).not.toContain(clear);
    const events = await owner.query<{ envelope: string }>('select envelope::text from event_log');
    expect(events.rows.map((r) => r.envelope).join('\n')).not.toMatch(/Munteanu|pregnancy|consultorio/);

    const read = await people.call(users.owner, 'GET', `/people/persons/${id}`);
    expect(read.body).toMatchObject({ familyName: 'Munteanu', givenName: 'Ionuț', needs });
    await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    expect((await people.call(users.other, 'GET', `/people/persons/${id}`)).body).toMatchObject({
      familyName: 'Munteanu',
      needs,
    });
    // Search still works on the clear, normalised search key.
    const found = await people.call(users.owner, 'GET', `/people/persons?q=munteanu`);
    expect(found.body.items.map((p: { id: string }) => p.id)).toContain(id);
  });

  it('forgets a person: the key is destroyed, reads answer 410 to the owner and 404 to others, the chain still verifies', async () => {
    const { id } = await register({ familyName: 'Dumitrescu' });
    await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    const sealedBefore = (await owner.query('select sealed from person where id = $1', [id])).rows[0].sealed;

    const erased = await forget(users.ownerCoordinator, id);
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ personId: id, forgottenAt: expect.any(String), basis: 'person-request' });

    const key = await owner.query('select wrapped_key, destroyed_at from person_key where person_id = $1', [
      id,
    ]);
    expect(key.rows[0]).toMatchObject({ wrapped_key: null, destroyed_at: expect.any(Date) });
    const row = await owner.query('select * from person where id = $1', [id]);
    // The ciphertext may stay (backups hold it too): without the key it is noise.
    expect(row.rows[0]).toMatchObject({
      sealed: sealedBefore,
      search_text: '',
      match_keys: [],
      usual_area: null,
    });

    const gone = await people.call(users.owner, 'GET', `/people/persons/${id}`);
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toMatch(/application\/problem\+json/);
    for (const user of [users.other, users.hub]) {
      expect((await people.call(user, 'GET', `/people/persons/${id}`)).status).toBe(404);
    }
    const listed = await people.call(users.owner, 'GET', `/people/persons?q=dumitrescu`);
    expect(listed.body.items).toEqual([]);
    expect((await forget(users.ownerCoordinator, id)).status).toBe(410);
    expect(
      (await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/subject-access`)).status,
    ).toBe(410);

    const event = await eventually(() => {
      const [found] = people
        .eventsOfType('people.person-forgotten')
        .filter((e) => (e.data.subjects as { personId: string }).personId === id);
      if (!found) throw new Error('person-forgotten not on the stream yet');
      return found;
    });
    expect(event.data).toMatchObject({ organisation: 'volontari-milano-aperta', payload: { personId: id } });
    const relay = new pg.Client({
      connectionString: urlFor(people.databaseUrl, { name: 'people_relay', password: 'accanto-dev' }),
    });
    await relay.connect();
    try {
      expect((await verifyChain(relay)).ok).toBe(true);
    } finally {
      await relay.end();
    }
  });

  it('refuses erasure while the law keeps the record, logs the request, and erases once the hold is lifted', async () => {
    const { id, etag } = await register();
    const held = await people.call(
      users.ownerCoordinator,
      'PUT',
      `/people/persons/${id}/erasure-hold`,
      { reason: 'public-task' },
      { 'if-match': etag },
    );
    expect(held.status).toBe(200);
    expect(held.body.erasureHold).toBe('public-task');

    const refused = await forget(users.ownerCoordinator, id, { basis: 'person-request' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/erasure-held$/), status: 409 });
    expect((await people.call(users.owner, 'GET', `/people/persons/${id}`)).status).toBe(200);
    const log = await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/access-log`);
    expect(log.body.items.map((e: { action: string }) => e.action)).toContain('forget-refused');

    const lifted = await people.call(
      users.ownerCoordinator,
      'PUT',
      `/people/persons/${id}/erasure-hold`,
      { reason: null },
      { 'if-match': held.headers.get('etag')! },
    );
    expect(lifted.body.erasureHold).toBeNull();
    expect((await forget(users.ownerCoordinator, id)).status).toBe(200);
  });

  it('keeps everything on bad input', async () => {
    const { id, etag } = await register();
    for (const body of [{ basis: 'whim' }, { basis: 'person-request', note: 'Ionuț asked' }, {}, '{"basis":'])
      expect((await forget(users.ownerCoordinator, id, body)).status).toBeGreaterThanOrEqual(400);
    const hold = (body: unknown, headers: Record<string, string> = { 'if-match': etag }) =>
      people.call(users.ownerCoordinator, 'PUT', `/people/persons/${id}/erasure-hold`, body, headers);
    expect((await hold({ reason: 'because' })).status).toBe(422);
    expect((await hold({ reason: 'public-task' }, {})).status).toBe(428);
    expect((await hold({ reason: 'public-task' }, { 'if-match': '"999"' })).status).toBe(412);
    const key = await owner.query('select wrapped_key from person_key where person_id = $1', [id]);
    expect(key.rows[0].wrapped_key).not.toBeNull();
    expect((await people.call(users.owner, 'GET', `/people/persons/${id}`)).body.erasureHold).toBeNull();
  });

  it.each(ownerCoordinatorsOnly)(
    'POST /people/persons/{id}/forget as %s → %i',
    async (_who, user, status) => {
      const { id } = await register();
      await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
      expect((await forget(user, id)).status).toBe(status);
      const key = await owner.query('select wrapped_key from person_key where person_id = $1', [id]);
      expect(key.rows[0].wrapped_key === null).toBe(status === 200);
    },
  );

  it.each(ownerCoordinatorsOnly)(
    'PUT /people/persons/{id}/erasure-hold as %s → %i',
    async (_who, user, status) => {
      const { id, etag } = await register();
      await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
      const response = await people.call(
        user,
        'PUT',
        `/people/persons/${id}/erasure-hold`,
        { reason: 'safeguarding' },
        { 'if-match': etag },
      );
      expect(response.status).toBe(status);
      const row = await owner.query('select erasure_hold from person where id = $1', [id]);
      expect(row.rows[0].erasure_hold).toBe(status === 200 ? 'safeguarding' : null);
    },
  );
});
