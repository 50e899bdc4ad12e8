import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// architecture.md §6: auditors query each service's event history and verify its chain through the API.
describe('the event history, for auditors', () => {
  let people: People;
  let owner: pg.Client;
  let personId: string;
  beforeAll(async () => {
    people = await startPeople();
    owner = new pg.Client({ connectionString: people.databaseUrl });
    await owner.connect();
    personId = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${personId}`, aPerson());
    await people.call(users.owner, 'POST', `/people/persons/${personId}/consents`, aConsent());
    await people.call(users.other, 'PUT', `/people/persons/${newId()}`, aPerson({ givenName: 'Amina' }));
  });
  afterAll(async () => {
    await owner?.end();
    await people?.close();
  });

  const history = (query = '') => people.call(users.auditor, 'GET', `/people/audit/events${query}`);

  it('given events of two partners, when an auditor reads the history, then every event comes in commit order, each linked to the hash before it', async () => {
    const { rows } = await owner.query('select count(*)::int as events from event_log');
    const read = await history('?limit=200');
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(rows[0].events);
    const items = read.body.items as Array<{ position: number; previousHash: string; hash: string }>;
    expect(items.map((item) => item.position)).toEqual(items.map((_, i) => i + 1));
    items.slice(1).forEach((item, i) => expect(item.previousHash).toBe(items[i].hash));
    expect(read.body.items.map((item: { envelope: { type: string } }) => item.envelope.type)).toEqual(
      expect.arrayContaining(['people.person-registered', 'people.consent-given']),
    );
    // The envelopes carry no names.
    expect(JSON.stringify(read.body)).not.toMatch(/Ionu|Popescu|Amina/);
  });

  it('given filters and a small page, then the cursor walks the matching events only', async () => {
    const first = await history('?subject=accanto.people.person-registered.v1&limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await history(
      `?subject=accanto.people.person-registered.v1&limit=1&cursor=${first.body.next}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].position).toBeGreaterThan(first.body.items[0].position);
    const registered = [...first.body.items, ...second.body.items];
    expect(registered.map((item) => item.envelope.type)).toEqual([
      'people.person-registered',
      'people.person-registered',
    ]);

    const theirs = await history('?organisation=casa-della-carita&limit=200');
    expect(theirs.body.items.length).toBeGreaterThan(0);
    expect(
      new Set(
        theirs.body.items.map((item: { envelope: { organisation: string } }) => item.envelope.organisation),
      ),
    ).toEqual(new Set(['casa-della-carita']));
    expect((await history(`?from=${new Date(Date.now() + 60_000).toISOString()}`)).body.items).toEqual([]);
  });

  it('given an intact log, then the chain verifies; given a row altered behind the service, then it names the row', async () => {
    const intact = await people.call(users.auditor, 'GET', '/people/audit/chain');
    expect(intact.status).toBe(200);
    const { rows } = await owner.query('select max(position)::int as last from event_log');
    expect(intact.body).toEqual({ ok: true, length: rows[0].last });

    // What someone with the database's superuser rights would do: bypass the triggers, then edit.
    await owner.query('set session_replication_role = replica');
    await owner.query(
      `update event_log set envelope = jsonb_set(envelope, '{organisation}', '"partner-04"') where position = 1`,
    );
    await owner.query('set session_replication_role = origin');
    const broken = await people.call(users.auditor, 'GET', '/people/audit/chain');
    expect(broken.body).toEqual({ ok: false, position: 1, reason: 'hash does not match the envelope' });
  });
});
