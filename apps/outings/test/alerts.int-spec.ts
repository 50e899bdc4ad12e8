import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testing';
import { anAlert, newId, owner, startOutings, users, type Outings } from './outings-app.js';

// Alerts (segnalazioni): a call comes in, a unit is sent, the alert is closed with its outcome.
// Seen by who took the call, the unit's organisation and the dispatchers (hub, lead) only.
describe('alerts', () => {
  let outings: Outings;
  let ownUnit: string;
  let otherUnit: string;
  beforeAll(async () => {
    outings = await startOutings();
    ownUnit = await outings.unitOf(users.ownerCoordinator);
    otherUnit = await outings.unitOf(users.otherCoordinator);
  });
  afterAll(async () => outings?.close());

  const receive = async (user: string, overrides: Record<string, unknown> = {}) => {
    const id = newId();
    const received = await outings.call(user, 'PUT', `/outings/alerts/${id}`, anAlert(overrides));
    expect(received.status).toBe(201);
    return { id, etag: received.headers.get('etag')! };
  };
  const send = (user: string, id: string, command: string, body: unknown, etag: string) =>
    outings.call(user, 'POST', `/outings/alerts/${id}/${command}`, body, { 'if-match': etag });
  const alertEvents = (id: string) =>
    outings.events.filter((e) => (e.data.subjects as { alertId?: string }).alertId === id);

  it('goes from the hub to a partner’s unit and back closed, with events that do not repeat what the caller said', async () => {
    const receivedAt = new Date(Date.now() - 45 * 60_000);
    const { id, etag } = await receive(users.hub, { receivedAt: receivedAt.toISOString() });
    const assigned = await send(users.hub, id, 'assign', { unitId: ownUnit }, etag);
    expect(assigned.body).toMatchObject({
      status: 'assigned',
      assignedUnitId: ownUnit,
      assignedOrganisation: owner,
    });

    // The unit's organisation sees what it was sent to, and closes it.
    const mine = await outings.call(users.owner, 'GET', '/outings/alerts?status=assigned');
    expect(mine.body.items.map((a: { id: string }) => a.id)).toContain(id);
    const closedAt = new Date(receivedAt.getTime() + 40 * 60_000);
    const closed = await send(
      users.owner,
      id,
      'close',
      { outcome: 'helped', closedAt: closedAt.toISOString() },
      assigned.headers.get('etag')!,
    );
    expect(closed.body).toMatchObject({
      status: 'closed',
      outcome: 'helped',
      closedAt: closedAt.toISOString(),
    });

    const events = await eventually(() => {
      const found = alertEvents(id);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(events.map((e) => e.data.type)).toEqual([
      'outings.alert-received',
      'outings.alert-assigned',
      'outings.alert-closed',
    ]);
    expect(events[0].data).toMatchObject({
      organisation: 'centro-sammartini',
      occurredAt: receivedAt.toISOString(),
      payload: { source: 'help-line', urgency: 'urgent', area: 'stazione-centrale' },
    });
    expect(events[2].data.payload).toEqual({
      alertId: id,
      outcome: 'helped',
      unitId: ownUnit,
      minutesToClose: 40,
    });
    expect(JSON.stringify(events)).not.toMatch(/anziano|marciapiede|Pisani/);
  });

  it('is not seen by other partners or auditors, and leaves a partner when another unit is sent', async () => {
    const { id, etag } = await receive(users.lead);
    expect((await outings.call(users.owner, 'GET', `/outings/alerts/${id}`)).status).toBe(404);
    const toOwner = await send(users.lead, id, 'assign', { unitId: ownUnit }, etag);
    expect((await outings.call(users.owner, 'GET', `/outings/alerts/${id}`)).status).toBe(200);
    expect((await outings.call(users.other, 'GET', `/outings/alerts/${id}`)).status).toBe(404);
    expect((await outings.call(users.auditor, 'GET', `/outings/alerts/${id}`)).status).toBe(403);

    // The unit sent may not send another in its place: that is the dispatchers' or the receiver's call.
    const handOver = await send(
      users.owner,
      id,
      'assign',
      { unitId: otherUnit },
      toOwner.headers.get('etag')!,
    );
    expect(handOver.status).toBe(403);
    const toOther = await send(users.hub, id, 'assign', { unitId: otherUnit }, toOwner.headers.get('etag')!);
    expect(toOther.body.assignedOrganisation).toBe('casa-della-carita');
    expect((await outings.call(users.owner, 'GET', `/outings/alerts/${id}`)).status).toBe(404);
    expect((await outings.call(users.other, 'GET', `/outings/alerts/${id}`)).status).toBe(200);
  });

  it('once closed changes no more; the same close sent again answers as before', async () => {
    const { id, etag } = await receive(users.owner);
    const close = { outcome: 'not-found', closedAt: new Date(Date.now() - 60_000).toISOString() };
    const closed = await send(users.owner, id, 'close', close, etag);
    expect(closed.status).toBe(200);
    const again = await send(users.owner, id, 'close', close, etag);
    expect(again.body).toEqual(closed.body);
    const reassign = await send(users.hub, id, 'assign', { unitId: ownUnit }, closed.headers.get('etag')!);
    expect(reassign.status).toBe(409);
    const stale = await send(users.hub, id, 'assign', { unitId: ownUnit }, etag);
    expect(stale.status).toBe(412);
  });

  it('records the same alert once, and refuses another under its id', async () => {
    const id = newId();
    const alert = anAlert();
    expect((await outings.call(users.owner, 'PUT', `/outings/alerts/${id}`, alert)).status).toBe(201);
    expect((await outings.call(users.owner, 'PUT', `/outings/alerts/${id}`, alert)).status).toBe(200);
    expect(
      (await outings.call(users.owner, 'PUT', `/outings/alerts/${id}`, { ...alert, urgency: 'routine' }))
        .status,
    ).toBe(409);
    // Another organisation cannot learn that the id is taken.
    expect((await outings.call(users.other, 'PUT', `/outings/alerts/${id}`, alert)).status).toBe(404);
  });

  it('goes to one of the night’s outings: its unit and organisation with it; not to an outing that has ended', async () => {
    const out = await outings.outingOut(users.other, users.otherCoordinator, 'casa-della-carita');
    const { id, etag } = await receive(users.hub);
    const assigned = await send(users.hub, id, 'assign', { outingId: out.id }, etag);
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({
      status: 'assigned',
      assignedOutingId: out.id,
      assignedOrganisation: 'casa-della-carita',
    });
    const outing = await outings.call(users.other, 'GET', `/outings/outings/${out.id}`);
    expect(assigned.body.assignedUnitId).toBe(outing.body.unitId);
    // The same assignment again changes nothing.
    const again = await send(users.hub, id, 'assign', { outingId: out.id }, assigned.headers.get('etag')!);
    expect(again.body.version).toBe(assigned.body.version);

    const cancelled = await outings.plannedOuting(users.owner, users.ownerCoordinator);
    await outings.call(
      users.owner,
      'POST',
      `/outings/outings/${cancelled.id}/cancel`,
      { reason: 'weather' },
      { 'if-match': cancelled.etag },
    );
    const refused = await send(
      users.hub,
      id,
      'assign',
      { outingId: cancelled.id },
      assigned.headers.get('etag')!,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'body.outingId' });
    const both = await send(
      users.hub,
      id,
      'assign',
      { outingId: out.id, unitId: ownUnit },
      assigned.headers.get('etag')!,
    );
    expect(both.status).toBe(422);
  });

  it('shows the night’s open alerts, area by area, to partners on duty that night and to dispatchers, without what the caller said', async () => {
    const night = '2026-11-25';
    await outings.plannedOuting(users.owner, users.ownerCoordinator, {
      plannedStart: '2026-11-25T21:00:00+01:00',
      plannedEnd: '2026-11-26T01:00:00+01:00',
      areasPlanned: ['duomo'],
    });
    const open = await receive(users.hub, { receivedAt: '2026-11-25T23:10:00+01:00' });
    const elsewhere = await receive(users.hub, {
      receivedAt: '2026-11-26T00:40:00+01:00',
      place: { latitude: 45.48, longitude: 9.2, description: 'sotto il ponte' },
    });
    const closed = await receive(users.hub, { receivedAt: '2026-11-25T22:00:00+01:00' });
    expect(
      (
        await send(
          users.hub,
          closed.id,
          'close',
          { outcome: 'not-found', closedAt: '2026-11-25T22:50:00+01:00' },
          closed.etag,
        )
      ).status,
    ).toBe(200);
    // Another night's alert is not this night's.
    await receive(users.hub, { receivedAt: '2026-11-24T23:00:00+01:00' });

    const coverage = async (user: string) =>
      (await outings.call(user, 'GET', `/outings/coverage?night=${night}`)).body;
    for (const user of [users.owner, users.hub, users.lead]) {
      const seen = await coverage(user);
      expect(seen.onDuty).toBe(true);
      const station = seen.areas.find((a: { code: string }) => a.code === 'stazione-centrale');
      // No unit planned there tonight: the area shows for its alert alone.
      expect(station).toMatchObject({
        outings: [],
        openAlerts: [{ id: open.id, urgency: 'urgent', status: 'open' }],
      });
      expect(seen.openAlertsElsewhere).toEqual([expect.objectContaining({ id: elsewhere.id })]);
      expect(JSON.stringify(seen)).not.toContain(closed.id);
      expect(JSON.stringify(seen)).not.toContain('non risponde');
      expect(JSON.stringify(seen)).not.toContain('Duca');
    }
    // Off duty that night, or an auditor: the outings, no alert.
    for (const user of [users.other, users.auditor]) {
      const seen = await coverage(user);
      expect(seen.onDuty).toBe(false);
      expect(seen.openAlertsElsewhere).toEqual([]);
      expect(seen.areas.flatMap((a: { openAlerts: unknown[] }) => a.openAlerts)).toEqual([]);
      expect(seen.areas.map((a: { code: string }) => a.code)).toContain('duomo');
    }
  });
});
