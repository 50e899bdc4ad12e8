import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
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

type Idp = Awaited<ReturnType<typeof startDevIdentityProvider>>;

const call = async (idp: Idp, url: string, username: string, method: string, body: unknown) => {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${await fetchToken(idp, username)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
};

// Each app with a write that records an event, and the subject id its event carries.
const apps = [
  {
    app: 'people',
    flag: 'PEOPLE_RELAY',
    subject: 'personId',
    record: async (idp: Idp, base: string) =>
      (
        await call(idp, `${base}/people/persons`, 'volontari-milano-aperta.operator', 'POST', {
          nameQuality: 'unknown',
          codeName: 'R-1',
          description: 'giacca rossa',
          birthDateQuality: 'unknown',
        })
      ).id,
  },
  {
    app: 'outings',
    flag: 'OUTINGS_RELAY',
    subject: 'outingId',
    // Creating a unit records no event; planning its outing does (one outing per unit and night).
    record: async (idp: Idp, base: string) => {
      const unitId = uuidv7();
      await call(idp, `${base}/outings/units/${unitId}`, 'volontari-milano-aperta.coordinator', 'PUT', {
        name: 'Unità Mobile Notturna',
        vehicle: 'Fiat Ducato',
        specialisation: 'social',
      });
      const outingId = uuidv7();
      await call(idp, `${base}/outings/outings/${outingId}`, 'volontari-milano-aperta.operator', 'PUT', {
        unitId,
        plannedStart: '2026-11-10T21:00:00+01:00',
        plannedEnd: '2026-11-11T01:00:00+01:00',
        team: [{ memberId: uuidv7(), organisation: 'volontari-milano-aperta', volunteer: true }],
        areasPlanned: ['stazione-centrale'],
      });
      return outingId;
    },
  },
];

// Deployments that keep publishing apart from request load run the API with <APP>_RELAY=false and
// the relay as a process of its own (`dist/apps/<app>/src/relay.js`, runRelayProcess of #messaging).
describe.each(apps)('$app with its relay as a process of its own', ({ app, flag, subject, record }) => {
  const adminUrl = process.env.DATABASE_URL!;
  const natsUrl = process.env.NATS_URL!;
  const namespace = uniqueName();
  let idp: Idp;
  let api: Awaited<ReturnType<typeof startAppProcess>>;
  let databaseUrl: string;
  let owner: pg.Client;
  let stream: { events: CollectedEvent[]; close: () => Promise<void> };
  let env: Record<string, string>;

  beforeAll(async () => {
    idp = await startDevIdentityProvider({ port: 0 });
    databaseUrl = await createDatabase(adminUrl);
    env = {
      DATABASE_URL: databaseUrl,
      DATABASE_PROVISION: 'true',
      NATS_URL: natsUrl,
      NATS_NAMESPACE: namespace,
      OIDC_ISSUER: idp.issuer,
      LOG_LEVEL: 'warn',
      [flag]: 'false',
    };
    api = await startAppProcess(app, app, env);
    owner = new pg.Client({ connectionString: databaseUrl });
    await owner.connect();
    stream = await collectEvents(natsUrl, streamNames(namespace).events);
  });

  afterAll(async () => {
    await stream?.close();
    await owner?.end();
    await api?.stop();
    await idp?.close();
    if (databaseUrl) await dropDatabase(adminUrl, databaseUrl);
  });

  // Advisory locks held in this test's database (pg_locks lists every database's).
  const locksHeld = async () =>
    (
      await owner.query(
        `select 1 from pg_locks
          where locktype = 'advisory' and granted
            and database = (select oid from pg_database where datname = current_database())`,
      )
    ).rowCount;

  it('the API only records; the relay process publishes what was recorded before and after it started, and stops cleanly', async () => {
    const published = (id: string) =>
      stream.events.some((e) => (e.data.subjects as Record<string, string | undefined>)[subject] === id);

    const before = await record(idp, api.url);
    // No relay holds the lock: the API's own relay never started.
    expect(await locksHeld()).toBe(0);
    expect((await owner.query('select position from relay_cursor')).rows[0].position).toBe('0');

    const relay = await startAppProcess(app, app, env, {
      file: 'relay',
      ready: async () => {
        if ((await locksHeld()) !== 1) throw new Error('the relay holds no lock yet');
      },
    });
    try {
      // The lock comes first; the relay reports active once it has also LISTENed and read its cursor.
      await eventually(async () => {
        const ready = await fetch(`${relay.url}/${app}-relay/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'up', state: 'active' });
      });
      await eventually(() => expect(published(before)).toBe(true));
      const after = await record(idp, api.url);
      await eventually(() => expect(published(after)).toBe(true));
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    // Stopping released the lock (the server ends the session a moment after the client left).
    await eventually(async () => expect(await locksHeld()).toBe(0));
  });
});
