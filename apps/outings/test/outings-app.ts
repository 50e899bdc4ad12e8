import { jetstream } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { natsSubject } from '#messaging';
import { startTestApp } from '#testing';
import { v7 as uuidv7 } from 'uuid';
import { createOutingsApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export type { Call } from '#testing';

/**
 * The outings app on its own database and stream namespace, the development identity provider
 * issuing real tokens, and a collector of everything that reaches the stream.
 */
export async function startOutings() {
  const base = await startTestApp({ loadConfig, createApp: createOutingsApp });
  const { call, namespace } = base;

  /** A fresh active unit of the coordinator's organisation. */
  async function unitOf(coordinator: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const id = newId();
    const created = await call(coordinator, 'PUT', `/outings/units/${id}`, aUnit(overrides));
    if (created.status !== 201)
      throw new Error(`unit not created: ${created.status} ${JSON.stringify(created.body)}`);
    return id;
  }

  /** An outing planned by `user` on a fresh unit of their organisation; returns its id and ETag. */
  async function plannedOuting(user: string, coordinator: string, overrides: Record<string, unknown> = {}) {
    const id = newId();
    const planned = await call(
      user,
      'PUT',
      `/outings/outings/${id}`,
      aPlan(await unitOf(coordinator), overrides),
    );
    if (planned.status !== 201)
      throw new Error(`outing not planned: ${planned.status} ${JSON.stringify(planned.body)}`);
    return { id, etag: planned.headers.get('etag')!, body: planned.body };
  }

  /**
   * An outing under way on the night of 10 November 2026 (fixed, so contacts' night never depends on
   * when the test runs), planned by `user` on a fresh unit of their organisation.
   */
  async function outingOut(user: string, coordinator: string, organisation = owner) {
    const member = { memberId: newId(), organisation, volunteer: true };
    const planned = await plannedOuting(user, coordinator, {
      plannedStart: '2026-11-10T21:00:00+01:00',
      plannedEnd: '2026-11-11T01:00:00+01:00',
      team: [member],
    });
    const started = await call(
      user,
      'POST',
      `/outings/outings/${planned.id}/start`,
      { startedAt: '2026-11-10T21:05:00+01:00' },
      { 'if-match': planned.etag },
    );
    if (started.status !== 200) throw new Error(`outing not started: ${started.status}`);
    return { id: planned.id, memberId: member.memberId, etag: started.headers.get('etag')! };
  }

  /** What the people service would publish, straight onto this app's stream. */
  async function publishFromPeople(
    event: string,
    payload: Record<string, unknown>,
    organisation: string = owner,
    version = 1,
  ): Promise<void> {
    const nats = await connect({ servers: process.env.NATS_URL! });
    try {
      const envelope = {
        id: newId(),
        type: `people.${event}`,
        version,
        occurredAt: new Date().toISOString(),
        recordedAt: new Date().toISOString(),
        organisation,
        actor: { userId: 'people-coordinator', organisation, roles: ['coordinator'] },
        correlationId: newId(),
        causationId: null,
        subjects: typeof payload.personId === 'string' ? { personId: payload.personId } : {},
        payload,
      };
      const h = headers();
      h.set('Nats-Msg-Id', envelope.id);
      await jetstream(nats).publish(
        natsSubject(`accanto.people.${event}.v${version}`, namespace),
        JSON.stringify(envelope),
        { headers: h },
      );
    } finally {
      await nats.close();
    }
  }

  /** A team of the coordinator's (or lead's) organisation sent to `areas` of a count; returns its id. */
  async function teamFor(organiser: string, countId: string, areas: string[]): Promise<string> {
    const id = newId();
    const formed = await call(organiser, 'PUT', `/outings/counts/${countId}/teams/${id}`, aTeam(areas));
    if (formed.status !== 201)
      throw new Error(`team not formed: ${formed.status} ${JSON.stringify(formed.body)}`);
    return id;
  }

  return { ...base, publishFromPeople, unitOf, plannedOuting, outingOut, teamFor };
}

export type Outings = Awaited<ReturnType<typeof startOutings>>;

export const users = {
  owner: 'volontari-milano-aperta.operator',
  ownerCoordinator: 'volontari-milano-aperta.coordinator',
  other: 'casa-della-carita.operator',
  otherCoordinator: 'casa-della-carita.coordinator',
  hub: 'centro-sammartini.hub',
  lead: 'cri-milano.lead',
  auditor: 'auditors.auditor',
  desk: 'residenzami.desk',
} as const;

export const owner = 'volontari-milano-aperta';

export const newId = () => uuidv7();

export function aTeam(areas: string[], overrides: Record<string, unknown> = {}) {
  return { name: 'Squadra 12', volunteers: ['Giulia R.', 'Marco B.', 'Aisha K.'], areas, ...overrides };
}

export function aUnit(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Unità Mobile Notturna 2',
    vehicle: 'Fiat Ducato AB123CD',
    specialisation: 'social',
    ...overrides,
  };
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

/** A plan for tonight's shift: it started three hours ago, so a field app can report its start. */
export function aPlan(unitId: string, overrides: Record<string, unknown> = {}) {
  return {
    unitId,
    plannedStart: hoursAgo(3),
    plannedEnd: hoursAgo(-1),
    team: [
      { memberId: newId(), organisation: owner, volunteer: true },
      { memberId: newId(), organisation: owner, volunteer: false },
      { memberId: newId(), organisation: 'partner-04', volunteer: true },
    ],
    areasPlanned: ['stazione-centrale', 'loreto'],
    suppliesLoaded: { meal: 40, blanket: 10, 'hot-drink': 60 },
    ...overrides,
  };
}

export const aStart = (overrides: Record<string, unknown> = {}) => ({ startedAt: hoursAgo(3), ...overrides });

export const aCompletion = (overrides: Record<string, unknown> = {}) => ({
  endedAt: hoursAgo(0.5),
  areasCovered: ['stazione-centrale', 'loreto', 'porta-garibaldi'],
  suppliesLeft: { meal: 3, blanket: 0 },
  ...overrides,
});

/** A contact during an outing from `outingOut`: an anonymous man met at the station. */
export function aContact(outing: { id: string; memberId: string }, overrides: Record<string, unknown> = {}) {
  return {
    outingId: outing.id,
    memberId: outing.memberId,
    occurredAt: '2026-11-10T22:40:00+01:00',
    place: {
      area: 'stazione-centrale',
      latitude: 45.4861,
      longitude: 9.2046,
      description: 'sotto i portici, lato binario 21',
    },
    anonymousDescription: 'uomo sui 40, giacca rossa, parla rumeno',
    beddedDown: true,
    livingSituation: 'station',
    services: { 'hot-drink': 1, blanket: 1, listening: 1 },
    referrals: ['hub'],
    firstContact: true,
    ...overrides,
  };
}

/** An alert from the help line: someone lying on the pavement near the station. */
export function anAlert(overrides: Record<string, unknown> = {}) {
  return {
    receivedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    source: 'help-line',
    urgency: 'urgent',
    place: { area: 'stazione-centrale', description: 'piazza Duca d’Aosta, lato via Vittor Pisani' },
    description: 'uomo anziano sdraiato sul marciapiede, non risponde',
    ...overrides,
  };
}
