import { v7 as uuidv7 } from 'uuid';
import type { JetStreamManager } from '@nats-io/jetstream';
import { eventually } from '#testing';
import { startFollower, type Handled } from './event-latency.js';
import { backendTicks, cpuPerOperation, cpuSnapshot, processTicks, type OtherTicks } from './cpu.js';
import { maxThroughput, openLoop, type Target } from './load.js';

// Issue 4's measures on the outings app: (e) a field app's offline queue of 500 contacts, from the
// upload to the last contact-recorded event handled by another service's consumer (stored,
// published, consumed); (f) single contacts recorded at a fixed rate, open loop.

const organisation = 'volontari-milano-aperta';
const night = { start: '2026-11-10T21:00:00+01:00', end: '2026-11-11T01:00:00+01:00' };

type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Response>;

/** A unit of the organisation and an outing of it under way on a fixed night, with one member. */
async function outingUnderWay(call: { operator: Call; coordinator: Call }) {
  const unitId = uuidv7();
  const unit = await call.coordinator('PUT', `/outings/units/${unitId}`, {
    name: 'Unità Mobile Notturna (bench)',
    vehicle: 'Fiat Ducato',
    specialisation: 'social',
  });
  if (unit.status !== 201) throw new Error(`unit: ${unit.status} ${await unit.text()}`);
  const outingId = uuidv7();
  const memberId = uuidv7();
  const planned = await call.operator('PUT', `/outings/outings/${outingId}`, {
    unitId,
    plannedStart: night.start,
    plannedEnd: night.end,
    team: [{ memberId, organisation, volunteer: true }],
    areasPlanned: ['stazione-centrale'],
    suppliesLoaded: { meal: 40 },
  });
  if (planned.status !== 201) throw new Error(`outing: ${planned.status} ${await planned.text()}`);
  const started = await call.operator(
    'POST',
    `/outings/outings/${outingId}/start`,
    { startedAt: '2026-11-10T21:05:00+01:00' },
    { 'if-match': planned.headers.get('etag')! },
  );
  if (started.status !== 200) throw new Error(`start: ${started.status} ${await started.text()}`);
  return { outingId, memberId };
}

/** The i-th contact of the night: anonymous, at the station, minutes apart. */
function aContact(outing: { outingId: string; memberId: string }, i: number) {
  const occurredAt = new Date(Date.parse('2026-11-10T21:10:00+01:00') + (i % 200) * 60_000).toISOString();
  return {
    outingId: outing.outingId,
    memberId: outing.memberId,
    occurredAt,
    place: { area: 'stazione-centrale', latitude: 45.4861, longitude: 9.2046, description: null },
    anonymousDescription: 'uomo sui 40, giacca rossa',
    beddedDown: i % 3 === 0,
    livingSituation: 'station',
    services: i % 2 === 0 ? { 'hot-drink': 1 } : { 'hot-drink': 1, blanket: 1 },
    referrals: [],
    firstContact: false,
  };
}

function callers(url: string, tokens: { operator: string; coordinator: string }) {
  const caller =
    (token: string): Call =>
    (method, path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
  return { operator: caller(tokens.operator), coordinator: caller(tokens.coordinator) };
}

/** Single contacts recorded with PUT under a new id, each the i-th of the night. */
function contactRequests(outing: { outingId: string; memberId: string }) {
  return (i: number) => ({
    method: 'PUT',
    path: `/outings/contacts/${uuidv7()}`,
    body: JSON.stringify(aContact(outing, i)),
  });
}

/** An outing under way, and the requests that record its contacts one by one (app-alone.ts). */
export async function contactsOfAnOuting(url: string, tokens: { operator: string; coordinator: string }) {
  return contactRequests(await outingUnderWay(callers(url, tokens)));
}

export async function measureOutings(options: {
  url: string;
  tokens: { operator: string; coordinator: string };
  natsUrl: string;
  jsm: JetStreamManager;
  namespace: string;
  consumerDb: string;
  /** The app's process and database, for the CPU each contact costs. */
  pid: number;
  database: string;
  /** The relay and NATS, whose CPU is shown apart (the follower's is added here). */
  others: OtherTicks;
  batches: number;
  batchSize: number;
  rate: number;
  seconds: number;
  /** Seconds at `rate` before the measured ones (openLoop). */
  warmupSeconds: number;
  cleanup: Array<() => Promise<unknown>>;
}) {
  const call = callers(options.url, options.tokens);
  const outing = await outingUnderWay(call);
  const handled = new Map<string, Handled>();
  const follower = await startFollower({
    natsUrl: options.natsUrl,
    jsm: options.jsm,
    consumerDb: options.consumerDb,
    namespace: options.namespace,
    cleanup: options.cleanup,
    filterSubject: 'accanto.outings.>',
    subject: 'accanto.outings.contact-recorded.v1',
    key: 'contactId',
    onHandled: (event) => handled.set(event.key, event),
  });

  // (e) Offline batches, one after the other.
  const batches = [];
  for (let b = 0; b < options.batches; b++) {
    const contacts = Array.from({ length: options.batchSize }, (_, i) => ({
      id: uuidv7(),
      ...aContact(outing, i),
    }));
    const sentAt = performance.timeOrigin + performance.now();
    const response = await call.operator('POST', '/outings/contacts/batch', { contacts });
    const respondedAt = performance.timeOrigin + performance.now();
    const body = (await response.json()) as { items?: Array<{ status?: string; created?: boolean }> };
    const accepted = (body.items ?? []).filter((item) => item.status === 'accepted' || item.created).length;
    if (response.status !== 200 || accepted !== contacts.length)
      throw new Error(
        `batch: ${response.status}, ${accepted} of ${contacts.length} accepted: ${JSON.stringify(body).slice(0, 500)}`,
      );
    // The time measured is the follower's, not this loop's: polling only waits for it.
    await eventually(
      () => {
        if (contacts.some((c) => !handled.has(c.id)))
          throw new Error('batch: not every contact-recorded event was consumed');
      },
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    const lastHandled = Math.max(...contacts.map((c) => handled.get(c.id)!.at));
    batches.push({ responseMs: respondedAt - sentAt, endToEndMs: lastHandled - sentAt });
  }

  // (f) Single contacts: the app's maximum (closed loop, with the CPU each costs), then a fixed rate.
  const target: Target = { url: options.url, tokens: [options.tokens.operator] };
  const aContactRequest = contactRequests(outing);
  let sent = 0;
  const consumerDb = new URL(options.consumerDb).pathname.slice(1);
  const others: OtherTicks = {
    ...options.others,
    follower: () => processTicks(follower.pid),
    "follower's PostgreSQL": () => backendTicks([consumerDb]),
  };
  const snapshot = () => cpuSnapshot(options.pid, [options.database], others);
  const before = snapshot();
  const max = await maxThroughput(target, 16, options.seconds, () => aContactRequest(sent++));
  const cpu = cpuPerOperation(before, snapshot(), max.completed);
  // At its maximum the app outruns the relay and the follower: (f) starts once they have caught up,
  // or it would measure their backlog competing for the cores.
  const recorded = batches.length * options.batchSize + max.completed;
  await eventually(
    () => {
      if (handled.size < recorded)
        throw new Error(`max: ${handled.size} of ${recorded} contact-recorded consumed`);
    },
    { timeoutMs: 60_000 },
  );
  // At the fixed rate too: there the relay and the follower keep up, so each contact's whole cost shows.
  const beforeSingle = snapshot();
  const single = await openLoop(target, options.rate, options.seconds, {
    request: aContactRequest,
    warmupSeconds: options.warmupSeconds,
  });
  const singleCpu = cpuPerOperation(beforeSingle, snapshot(), single.completed);
  return {
    batches,
    worstBatchMs: Math.max(...batches.map((b) => b.endToEndMs)),
    max: { ...max, cpu },
    single: { ...single, cpu: singleCpu },
  };
}
