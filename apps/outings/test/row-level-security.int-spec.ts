import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { urlFor } from '#persistence';
import { appRole } from '../src/config.js';
import { aContact, anAlert, newId, startOutings, users, type Outings } from './outings-app.js';

// Defence in depth: even a statement that skips the service's policy check, run as the app's own
// database role, reads and writes only what the tenant settings allow.
describe('row-level security', () => {
  let outings: Outings;
  let asApp: pg.Client;
  let outingId: string;
  let unitId: string;

  beforeAll(async () => {
    outings = await startOutings();
    const planned = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    outingId = planned.id;
    unitId = planned.body.unitId;
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

  /** Runs one statement in a transaction with these settings, then rolls it back. */
  async function asTenant(settings: Record<string, string> | null, sql: string, params: unknown[] = []) {
    await asApp.query('begin');
    try {
      for (const [key, value] of Object.entries(settings ?? {})) {
        await asApp.query('select set_config($1, $2, true)', [key, value]);
      }
      return await asApp.query(sql, params);
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

  it('a transaction with no tenant set sees no outing or unit', async () => {
    expect((await asTenant(null, 'select id from outing')).rows).toEqual([]);
    expect((await asTenant(null, 'select id from unit')).rows).toEqual([]);
  });

  it('every outreach role reads outings; a role outside outreach reads none', async () => {
    for (const roles of ['operator', 'coordinator', 'hub', 'lead', 'auditor']) {
      const { rows } = await asTenant(tenant('partner-09', roles), 'select id from outing');
      expect(rows.map((r) => r.id)).toEqual([outingId]);
    }
    expect((await asTenant(tenant('residenzami', 'residence-desk'), 'select id from outing')).rows).toEqual(
      [],
    );
  });

  it('another partner changes nothing of the owner’s outing, even with no WHERE clause', async () => {
    const updated = await asTenant(
      tenant('casa-della-carita', 'coordinator'),
      `update outing set status = 'cancelled'`,
    );
    expect(updated.rowCount).toBe(0);
    const own = await asTenant(
      tenant('volontari-milano-aperta', 'operator'),
      `update outing set status = 'cancelled'`,
    );
    expect(own.rowCount).toBe(1);
  });

  it('no one writes a row in another organisation’s name, nor the hub or lead in any', async () => {
    const insert = (organisation: string) =>
      `insert into outing (id, organisation, unit_id, night, status, planned_start, planned_end, created_by, created_at, updated_at)
       values ('${newId()}', '${organisation}', '${unitId}', '2026-12-03', 'planned', now(), now(), 'x', now(), now())`;
    await expect(
      asTenant(tenant('casa-della-carita', 'operator'), insert('volontari-milano-aperta')),
    ).rejects.toThrow(/row-level security/);
    await expect(asTenant(tenant('cri-milano', 'lead'), insert('cri-milano'))).rejects.toThrow(
      /row-level security/,
    );
    // Units are a coordinator's: an operator of the owner cannot create one either.
    await expect(
      asTenant(
        tenant('volontari-milano-aperta', 'operator'),
        `insert into unit (id, organisation, name, specialisation, created_by, created_at, updated_at)
         values ('${newId()}', 'volontari-milano-aperta', 'x', 'food', 'x', now(), now())`,
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('the app cannot change the areas, nor touch the event log', async () => {
    await expect(asTenant(tenant('cri-milano', 'lead'), `update area set name = 'x'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      asTenant(tenant('volontari-milano-aperta', 'operator'), `delete from event_log`),
    ).rejects.toThrow(/permission denied/);
  });
  it('contacts and alerts: the owner and the hub (and for alerts the lead body) see them, other partners none', async () => {
    const out = await outings.outingOut(users.owner, users.ownerCoordinator);
    const contactId = newId();
    await outings.call(users.owner, 'PUT', `/outings/contacts/${contactId}`, aContact(out));
    const alertId = newId();
    await outings.call(users.owner, 'PUT', `/outings/alerts/${alertId}`, anAlert());
    const ids = async (organisation: string, roles: string, table: string) =>
      (await asTenant(tenant(organisation, roles), `select id from ${table}`)).rows.map((r) => r.id);
    expect(await ids('volontari-milano-aperta', 'operator', 'contact')).toEqual([contactId]);
    expect(await ids('centro-sammartini', 'hub', 'contact')).toEqual([contactId]);
    for (const [organisation, roles] of [
      ['casa-della-carita', 'coordinator'],
      ['cri-milano', 'lead'],
      ['auditors', 'auditor'],
    ]) {
      expect(await ids(organisation, roles, 'contact')).toEqual([]);
    }
    expect(await ids('cri-milano', 'lead', 'alert')).toEqual([alertId]);
    expect(await ids('casa-della-carita', 'coordinator', 'alert')).toEqual([]);
    expect(await ids('auditors', 'auditor', 'alert')).toEqual([]);
    // Contacts are recorded once: not even their owner may change one.
    await expect(
      asTenant(tenant('volontari-milano-aperta', 'coordinator'), `update contact set bedded_down = false`),
    ).rejects.toThrow(/permission denied/);
  });
  it('a tally row is its organisation’s and the lead’s, hub’s and auditors’; partners get only the sums', async () => {
    const id = newId();
    const prepared = await outings.call(users.lead, 'PUT', `/outings/counts/${id}`, {
      edition: '2027-winter',
      night: '2027-01-20',
      areas: ['duomo'],
    });
    await outings.teamFor(users.ownerCoordinator, id, ['duomo']);
    await outings.call(
      users.lead,
      'POST',
      `/outings/counts/${id}/status`,
      { status: 'active' },
      {
        'if-match': prepared.headers.get('etag')!,
      },
    );
    await outings.call(users.owner, 'PUT', `/outings/counts/${id}/tallies/duomo`, {
      observed: 3,
      interviewed: 1,
    });
    const areas = async (organisation: string, roles: string) =>
      (await asTenant(tenant(organisation, roles), 'select area from count_tally')).rows.map((r) => r.area);
    expect(await areas('volontari-milano-aperta', 'operator')).toEqual(['duomo']);
    expect(await areas('cri-milano', 'lead')).toEqual(['duomo']);
    expect(await areas('casa-della-carita', 'coordinator')).toEqual([]);
    const sums = await asTenant(
      tenant('casa-della-carita', 'coordinator'),
      'select * from count_district_totals($1)',
      [id],
    );
    expect(sums.rows).toEqual([{ district: 1, observed: '3', interviewed: '1', areas: '1' }]);
    await expect(
      asTenant(tenant('casa-della-carita', 'coordinator'), `update count_campaign set status = 'archived'`),
    ).resolves.toMatchObject({ rowCount: 0 });
  });
  it("a count's teams are formed and changed only by their own organisation's organisers, at the database too", async () => {
    const countId = newId();
    await outings.call(users.lead, 'PUT', `/outings/counts/${countId}`, {
      edition: '2033-winter',
      night: '2033-01-20',
      areas: ['loreto'],
    });
    const teamId = await outings.teamFor(users.ownerCoordinator, countId, ['loreto']);
    const insertTeam = (organisation: string) =>
      `insert into count_team (id, campaign_id, organisation, name, volunteers, areas, created_by, created_at, updated_at)
       values ('${newId()}', '${countId}', '${organisation}', 'x', '{a,b,c}', '{}', 'test', now(), now())`;
    // Another organisation's coordinator cannot form a team in this one's name, nor an operator its own.
    await expect(
      asTenant(tenant('casa-della-carita', 'coordinator'), insertTeam('volontari-milano-aperta')),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asTenant(tenant('volontari-milano-aperta', 'operator'), insertTeam('volontari-milano-aperta')),
    ).rejects.toThrow(/row-level security/);
    // Nor change or take away another organisation's team and areas.
    await expect(
      asTenant(
        tenant('casa-della-carita', 'coordinator'),
        `update count_team set name = 'taken' where id = $1`,
        [teamId],
      ),
    ).resolves.toMatchObject({ rowCount: 0 });
    await expect(
      asTenant(tenant('casa-della-carita', 'coordinator'), 'delete from count_team_area where team_id = $1', [
        teamId,
      ]),
    ).resolves.toMatchObject({ rowCount: 0 });
    // Who counts where is for every reader of the count.
    const seen = await asTenant(
      tenant('casa-della-carita', 'operator'),
      'select area from count_team_area where team_id = $1',
      [teamId],
    );
    expect(seen.rows).toEqual([{ area: 'loreto' }]);
  });
  it('the night’s open alerts go, at the database too, only to dispatchers and organisations out that night', async () => {
    const alertId = newId();
    await outings.call(users.hub, 'PUT', `/outings/alerts/${alertId}`, {
      ...anAlert(),
      receivedAt: '2026-11-27T23:00:00+01:00',
    });
    const seenBy = async (organisation: string, roles: string) =>
      (await asTenant(tenant(organisation, roles), 'select id from open_alerts_on_duty($1)', ['2026-11-27']))
        .rows;
    expect(await seenBy('centro-sammartini', 'hub')).toEqual([{ id: alertId }]);
    expect(await seenBy('casa-della-carita', 'operator')).toEqual([]);
    expect(await seenBy('auditors', 'auditor')).toEqual([]);
    await outings.plannedOuting(users.other, users.otherCoordinator, {
      plannedStart: '2026-11-27T21:00:00+01:00',
      plannedEnd: '2026-11-28T01:00:00+01:00',
      team: [{ memberId: newId(), organisation: 'casa-della-carita', volunteer: true }],
    });
    expect(await seenBy('casa-della-carita', 'operator')).toEqual([{ id: alertId }]);
    // The function gives no more than where, how urgent and since when: never what the caller said.
    const columns = await asTenant(
      tenant('centro-sammartini', 'hub'),
      'select * from open_alerts_on_duty($1)',
      ['2026-11-27'],
    );
    expect(Object.keys(columns.rows[0]).sort()).toEqual(
      ['area', 'assigned_organisation', 'id', 'received_at', 'status', 'urgency'].sort(),
    );
  });
  it('the hub reads no contact of a person at special risk at the database either, unless named', async () => {
    const out = await outings.outingOut(users.owner, users.ownerCoordinator);
    const personId = newId();
    const contactId = newId();
    await outings.call(users.owner, 'PUT', `/outings/contacts/${contactId}`, {
      ...aContact(out),
      personId,
      anonymousDescription: null,
    });
    const hubReads = async (named: string[]) => {
      await asApp.query('begin');
      try {
        await asApp.query('select restrict_person($1, true, $2)', [personId, named]);
        await asApp.query("select set_config('accanto.organisation', 'centro-sammartini', true)");
        await asApp.query("select set_config('accanto.roles', 'hub', true)");
        return (await asApp.query('select id from contact where person_id = $1', [personId])).rows;
      } finally {
        await asApp.query('rollback');
      }
    };
    expect(await hubReads([])).toEqual([]);
    expect(await hubReads(['centro-sammartini'])).toEqual([{ id: contactId }]);
    // The list itself changes only through restrict_person.
    await expect(
      asTenant(tenant('centro-sammartini', 'hub'), 'delete from restricted_person'),
    ).rejects.toThrow(/permission denied/);
  });
});
