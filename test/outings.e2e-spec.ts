import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevIdentityProvider } from '#dev-identity';
import { streamNames } from '#messaging';
import {
  collectEvents,
  createDatabase,
  dropDatabase,
  eventually,
  fetchToken,
  startAppProcess,
  uniqueName,
  type CollectedEvent,
} from '#testing';
import { v7 as uuidv7 } from 'uuid';

// The people and outings apps as real processes on one stream: a contact names a person by id
// only, and when the people service erases that person, the outings service anonymises the contact.
describe('people and outings, end to end', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const natsUrl = process.env.NATS_URL!;
  const namespace = uniqueName();
  let idp: Awaited<ReturnType<typeof startDevIdentityProvider>>;
  let people: Awaited<ReturnType<typeof startAppProcess>>;
  let outings: Awaited<ReturnType<typeof startAppProcess>>;
  let databases: string[];
  let stream: { events: CollectedEvent[]; close: () => Promise<void> };

  beforeAll(async () => {
    idp = await startDevIdentityProvider({ port: 0 });
    databases = [await createDatabase(adminUrl), await createDatabase(adminUrl)];
    const common = {
      DATABASE_PROVISION: 'true',
      NATS_URL: natsUrl,
      NATS_NAMESPACE: namespace,
      OIDC_ISSUER: idp.issuer,
      LOG_LEVEL: 'warn',
    };
    people = await startAppProcess('people', 'people', { ...common, DATABASE_URL: databases[0] });
    outings = await startAppProcess('outings', 'outings', { ...common, DATABASE_URL: databases[1] });
    stream = await collectEvents(natsUrl, streamNames(namespace).events);
  });

  afterAll(async () => {
    await stream?.close();
    await outings?.stop();
    await people?.stop();
    await idp?.close();
    for (const database of databases ?? []) await dropDatabase(adminUrl, database);
  });

  const call = async (base: string, username: string, method: string, path: string, body?: unknown) => {
    const token = await fetchToken(idp, username);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      etag: response.headers.get('etag'),
      body: text ? JSON.parse(text) : undefined,
    };
  };

  it('anonymises a street contact when its person is forgotten', async () => {
    const operator = 'volontari-milano-aperta.operator';
    const coordinator = 'volontari-milano-aperta.coordinator';
    const personId = uuidv7();
    const registered = await call(people.url, operator, 'PUT', `/people/persons/${personId}`, {
      givenName: 'Mirela',
      familyName: 'Popescu',
      nameQuality: 'full',
      birthDateQuality: 'unknown',
      estimatedAge: 44,
    });
    expect(registered.status).toBe(201);

    const unitId = uuidv7();
    expect(
      (
        await call(outings.url, coordinator, 'PUT', `/outings/units/${unitId}`, {
          name: 'UMN 1',
          specialisation: 'social',
        })
      ).status,
    ).toBe(201);
    const memberId = uuidv7();
    const outingId = uuidv7();
    const planned = await call(outings.url, operator, 'PUT', `/outings/outings/${outingId}`, {
      unitId,
      plannedStart: '2026-11-10T21:00:00+01:00',
      plannedEnd: '2026-11-11T01:00:00+01:00',
      team: [{ memberId, organisation: 'volontari-milano-aperta', volunteer: true }],
      areasPlanned: ['stazione-centrale'],
    });
    expect(planned.status).toBe(201);
    const started = await fetch(`${outings.url}/outings/outings/${outingId}/start`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await fetchToken(idp, operator)}`,
        'content-type': 'application/json',
        'if-match': planned.etag!,
      },
      body: JSON.stringify({ startedAt: '2026-11-10T21:05:00+01:00' }),
    });
    expect(started.status).toBe(200);
    const contactId = uuidv7();
    const contact = await call(outings.url, operator, 'PUT', `/outings/contacts/${contactId}`, {
      outingId,
      memberId,
      occurredAt: '2026-11-10T22:40:00+01:00',
      place: { area: 'stazione-centrale', description: 'sotto i portici' },
      personId,
      beddedDown: true,
      livingSituation: 'station',
      services: { 'hot-drink': 1 },
    });
    expect(contact.status).toBe(201);

    const forgotten = await call(people.url, coordinator, 'POST', `/people/persons/${personId}/forget`, {
      basis: 'person-request',
    });
    expect(forgotten.status).toBe(200);

    const anonymised = await eventually(
      async () => {
        const read = await call(outings.url, operator, 'GET', `/outings/contacts/${contactId}`);
        expect(read.body.forgotten).toBe(true);
        return read.body;
      },
      { timeoutMs: 20_000 },
    );
    expect(anonymised).toMatchObject({
      personId: null,
      place: { area: 'stazione-centrale', description: null },
    });

    // Nothing the outings service published names the person.
    await eventually(() =>
      expect(stream.events.some((e) => e.data.type === 'outings.contact-recorded')).toBe(true),
    );
    const published = stream.events.filter((e) => String(e.data.type).startsWith('outings.'));
    expect(JSON.stringify(published)).not.toMatch(/Mirela|Popescu|portici/);
  });
});
