import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { urlFor } from '#persistence';
import { appRole } from '../src/config.js';
import { aConsent, aPerson, newId, startPeople, users, type People } from './people-app.js';

// Defence in depth: even a query that skips the service's policy check, run as the app's own
// database role, sees only what the tenant settings allow.
describe('row-level security', () => {
  let people: People;
  let asApp: pg.Client;
  let ownersPerson: string;
  let sharedPerson: string;
  let cardPerson: string;

  beforeAll(async () => {
    people = await startPeople();
    ownersPerson = newId();
    sharedPerson = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${ownersPerson}`, aPerson());
    await people.call(users.owner, 'PUT', `/people/persons/${sharedPerson}`, aPerson({ givenName: 'Ana' }));
    await people.call(users.owner, 'POST', `/people/persons/${sharedPerson}/consents`, aConsent());
    // Shares only the network card with casa-della-carita: the row stays hidden from it.
    cardPerson = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${cardPerson}`, aPerson({ givenName: 'Dan' }));
    await people.call(
      users.owner,
      'POST',
      `/people/persons/${cardPerson}/consents`,
      aConsent({ shares: 'card' }),
    );
    asApp = new pg.Client({
      connectionString: urlFor(people.databaseUrl, {
        name: appRole,
        password: people.config.database.appPassword,
      }),
    });
    await asApp.connect();
  });
  afterAll(async () => {
    await asApp?.end();
    await people?.close();
  });

  async function asTenant<T>(settings: Record<string, string> | null, sql: string, params: unknown[] = []) {
    await asApp.query('begin');
    try {
      for (const [key, value] of Object.entries(settings ?? {})) {
        await asApp.query('select set_config($1, $2, true)', [key, value]);
      }
      return (await asApp.query(sql, params)).rows as T[];
    } finally {
      await asApp.query('rollback');
    }
  }

  const tenant = (organisation: string, roles: string) => ({
    'accanto.organisation': organisation,
    'accanto.roles': roles,
  });

  it('the app role is not the owner and cannot bypass row-level security', async () => {
    const [role] = (
      await asApp.query(`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`)
    ).rows;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it('a query with no tenant set sees nothing', async () => {
    expect(await asTenant(null, 'select id from person')).toEqual([]);
    expect(await asTenant(null, 'select id from consent')).toEqual([]);
  });

  it('another organisation sees only what a consent shares with it, even with no WHERE clause', async () => {
    const seen = await asTenant<{ id: string }>(
      tenant('casa-della-carita', 'operator'),
      'select id from person',
    );
    expect(seen.map((r) => r.id)).toEqual([sharedPerson]);
    const stranger = await asTenant<{ id: string }>(
      tenant('partner-09', 'operator'),
      'select id from person',
    );
    expect(stranger).toEqual([]);
  });

  it('the card function gives a card-only reader the card columns, and the row stays hidden', async () => {
    const other = tenant('casa-della-carita', 'operator');
    const cards = await asTenant<{ person_id: string; whole_record: boolean }>(
      other,
      'select person_id, whole_record from person_cards($1::uuid[], null, null, null, 10)',
      [[cardPerson, ownersPerson]],
    );
    expect(cards).toEqual([{ person_id: cardPerson, whole_record: false }]);
    expect(await asTenant(other, 'select id from person where id = $1', [cardPerson])).toEqual([]);
    expect(await asTenant(other, 'select * from person_key where person_id = $1', [cardPerson])).toEqual([]);
    // With no tenant, or as the lead, the function finds nothing either.
    const query = 'select person_id from person_cards(null, null, null, null, 100)';
    expect(await asTenant(null, query)).toEqual([]);
    expect(await asTenant(tenant('cri-milano', 'lead'), query)).toEqual([]);
  });

  it('the owner sees its own; lead and auditor roles see none, even in the owner organisation', async () => {
    const own = await asTenant<{ id: string }>(
      tenant('volontari-milano-aperta', 'operator'),
      'select id from person order by id',
    );
    expect(own.map((r) => r.id).sort()).toEqual([ownersPerson, sharedPerson, cardPerson].sort());
    expect(await asTenant(tenant('volontari-milano-aperta', 'auditor'), 'select id from person')).toEqual([]);
    expect(await asTenant(tenant('cri-milano', 'lead'), 'select id from person')).toEqual([]);
  });

  it('a restricted record is hidden at the database from the hub and consented partners, not from those named', async () => {
    const id = newId();
    const registered = await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    await people.call(
      users.owner,
      'PUT',
      `/people/persons/${id}/restriction`,
      { restricted: true, reason: 'violence', organisations: ['partner-09'] },
      {
        'if-match': registered.headers.get('etag')!,
      },
    );
    const sees = async (organisation: string, roles: string) =>
      (
        await asTenant<{ id: string }>(tenant(organisation, roles), 'select id from person where id = $1', [
          id,
        ])
      ).length === 1;
    expect(await sees('centro-sammartini', 'hub')).toBe(false);
    expect(await sees('casa-della-carita', 'operator')).toBe(false);
    expect(await sees('partner-09', 'operator')).toBe(true);
    expect(await sees('volontari-milano-aperta', 'coordinator')).toBe(true);
  });

  it('the access log is append-only for the app and readable only by the owner’s coordinators and auditors', async () => {
    await expect(
      asTenant(tenant('volontari-milano-aperta', 'coordinator'), 'delete from access_log'),
    ).rejects.toThrow(/permission denied/);
    expect(
      (await asTenant(tenant('volontari-milano-aperta', 'coordinator'), 'select id from access_log')).length,
    ).toBeGreaterThan(0);
    expect(
      await asTenant(tenant('volontari-milano-aperta', 'operator'), 'select id from access_log'),
    ).toEqual([]);
    expect(
      await asTenant(
        tenant('casa-della-carita', 'coordinator'),
        'select id from access_log where owner_organisation = $1',
        ['volontari-milano-aperta'],
      ),
    ).toEqual([]);
  });

  it('the hub reads every record', async () => {
    const all = await asTenant<{ id: string }>(tenant('centro-sammartini', 'hub'), 'select id from person');
    expect(all.map((r) => r.id)).toEqual(expect.arrayContaining([ownersPerson, sharedPerson]));
  });

  it('another organisation cannot change or take over a record it can read', async () => {
    const updated = await asTenant(
      tenant('casa-della-carita', 'operator'),
      `update person set usual_area = 'x' where id = $1 returning id`,
      [sharedPerson],
    );
    expect(updated).toEqual([]);
    await expect(
      asTenant(
        tenant('casa-della-carita', 'operator'),
        `update person set owner_organisation = 'casa-della-carita' returning id`,
      ),
    ).resolves.toEqual([]);
  });

  it('a data key shows only with its person, and only the owner’s coordinator destroys it', async () => {
    const keyOf = (who: ReturnType<typeof tenant>, id: string) =>
      asTenant<{ person_id: string }>(who, 'select person_id from person_key where person_id = $1', [id]);
    // Read under consent: the key comes with the record, as the sealed fields are unreadable without it.
    expect(await keyOf(tenant('casa-della-carita', 'operator'), sharedPerson)).toHaveLength(1);
    expect(await keyOf(tenant('casa-della-carita', 'operator'), ownersPerson)).toEqual([]);
    expect(await keyOf(tenant('cri-milano', 'lead'), sharedPerson)).toEqual([]);
    const destroy =
      'update person_key set wrapped_key = null, destroyed_at = now() where person_id = $1 returning person_id';
    expect(await asTenant(tenant('casa-della-carita', 'coordinator'), destroy, [sharedPerson])).toEqual([]);
    expect(await asTenant(tenant('volontari-milano-aperta', 'operator'), destroy, [sharedPerson])).toEqual(
      [],
    );
    // Nor may anyone swap a key in (the policy admits only its removal).
    await expect(
      asTenant(
        tenant('volontari-milano-aperta', 'coordinator'),
        `update person_key set wrapped_key = '\\x00' where person_id = $1`,
        [sharedPerson],
      ),
    ).rejects.toThrow(/row-level security|permission denied/);
  });

  it('nobody inserts a record for another organisation', async () => {
    await expect(
      asTenant(
        tenant('casa-della-carita', 'operator'),
        `insert into person (id, owner_organisation, name_quality, sealed, birth_date_quality, search_text, created_by, created_at, updated_at)
         values ($1, 'volontari-milano-aperta', 'unknown', 'v1.x', 'unknown', '', 'x', now(), now())`,
        [newId()],
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('the app role cannot read the event log, nor delete from it', async () => {
    await expect(
      asTenant(tenant('volontari-milano-aperta', 'operator'), 'select * from event_log'),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asTenant(tenant('volontari-milano-aperta', 'operator'), 'delete from event_log'),
    ).rejects.toThrow();
  });
});
