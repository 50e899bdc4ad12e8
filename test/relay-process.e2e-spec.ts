import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
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

// Deployments that keep publishing apart from request load run the API with PEOPLE_RELAY=false and
// the relay as a process of its own (`dist/apps/people/src/relay.js`).
describe('people with its relay as a process of its own', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const natsUrl = process.env.NATS_URL!;
  const namespace = uniqueName();
  let idp: Awaited<ReturnType<typeof startDevIdentityProvider>>;
  let people: Awaited<ReturnType<typeof startAppProcess>>;
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
      PEOPLE_RELAY: 'false',
    };
    people = await startAppProcess('people', 'people', env);
    owner = new pg.Client({ connectionString: databaseUrl });
    await owner.connect();
    stream = await collectEvents(natsUrl, streamNames(namespace).events);
  });

  afterAll(async () => {
    await stream?.close();
    await owner?.end();
    await people?.stop();
    await idp?.close();
    if (databaseUrl) await dropDatabase(adminUrl, databaseUrl);
  });

  it('the API only records; the relay process publishes what was recorded before and after it started, and stops cleanly', async () => {
    const register = async () => {
      const response = await fetch(`${people.url}/people/persons`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await fetchToken(idp, 'volontari-milano-aperta.operator')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          nameQuality: 'unknown',
          codeName: 'R-1',
          description: 'giacca rossa',
          birthDateQuality: 'unknown',
        }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const published = (id: string) =>
      stream.events.some((e) => (e.data.subjects as { personId?: string }).personId === id);

    const before = await register();
    // No relay holds the lock: the API's own relay never started.
    const locks = await owner.query(`select 1 from pg_locks where locktype = 'advisory' and granted`);
    expect(locks.rowCount).toBe(0);
    expect((await owner.query('select position from relay_cursor')).rows[0].position).toBe('0');

    const relay = await startAppProcess('people', 'people', env, {
      file: 'relay',
      ready: async () => {
        const held = await owner.query(`select 1 from pg_locks where locktype = 'advisory' and granted`);
        if (held.rowCount !== 1) throw new Error('the relay holds no lock yet');
      },
    });
    try {
      const ready = await fetch(`${relay.url}/people-relay/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'up', state: 'active' });
      await eventually(() => expect(published(before)).toBe(true));
      const after = await register();
      await eventually(() => expect(published(after)).toBe(true));
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });
});
