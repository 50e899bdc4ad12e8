import { execSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import type { Actor } from '#contracts';
import { startDevIdentityProvider } from '#dev-identity';
import { streamNames } from '#messaging';
import { urlFor } from '#persistence';
import { createDatabase, dropDatabase, fetchToken, startInfrastructure, uniqueName } from '#testing';
import {
  cpuPerOperation,
  cpuSnapshot,
  natsServerPid,
  processTicks,
  type CpuPerOperation,
  type OtherTicks,
} from './bench/cpu.js';
import { eventLatency, outboxBacklog } from './bench/event-latency.js';
import { maxThroughput, openLoop, percentile, type Target } from './bench/load.js';
import { snapshotBuild, startAppProcess } from './bench/app-process.js';
import {
  matchingBenchOptions,
  matchingMarkdown,
  runMatchingBench,
  saveMatchingReport,
} from './bench/matching.js';
import { measureOutings } from './bench/outings.js';
import { rawInsertRate } from './bench/registration.js';
import { fixed, markdownTable, residentMemory, textTable, type Row } from './bench/report.js';
import { sampleOpenTransactions, sampleSessions, type SessionProfile } from './bench/sessions.js';

// `npm run bench`. BENCH_QUICK=1 checks the script itself in seconds (figures meaningless);
// The relay runs as a process of its own beside the app (PEOPLE_RELAY=false), as deployments that care
// about event latency run it; BENCH_RELAY=in-app runs it in the app's process instead, and
// BENCH_RELAY=off keeps every relay in standby (to see what publishing costs; skips (c));
// BENCH_NAMES=same gives every registration aPerson()'s name.
// `npm run bench` starts this process with --max-semi-space-size=4: it is the load generator, and with
// V8's default young generation its scavenges took 15–40 ms, every one of them a burst of requests
// measured late (bench/README.md, 2026-12-04 afternoon). Smaller, they take a few milliseconds.
const quick = process.env.BENCH_QUICK === '1';
const relayOff = process.env.BENCH_RELAY === 'off';
const relayInApp = process.env.BENCH_RELAY === 'in-app';
// The matcher (issue 3) can run in replicas of its own; off, (b) and (c) measure the registration alone.
const matcherOff = process.env.BENCH_MATCHER === 'off';
const sameNames = process.env.BENCH_NAMES === 'same'; // read again in ./bench/registration.ts
const seconds = quick
  ? { raw: 2, max: 2, warmup: 1, fixed: 3, events: 3, overload: 2 }
  : { raw: 10, max: 10, warmup: 2, fixed: 15, events: 20, overload: 10 };
const connectionCounts = quick ? [8] : [8, 16, 32];
const eventRate = 100;
const contactRate = 200;
// BENCH_OUTINGS=off skips issue 4's measures of the outings app.
const skipOutings = process.env.BENCH_OUTINGS === 'off';
// BENCH_MATCHING=off skips issue 3's person matching (bench/matching/README.md), measured last, with
// every app stopped: about 4 minutes.
const skipMatching = process.env.BENCH_MATCHING === 'off';
// 16 organisations, an operator and a coordinator each: 32 simulated users, one token each.
const organisations = ['cri-milano', 'volontari-milano-aperta', 'casa-della-carita'].concat(
  Array.from({ length: 13 }, (_, i) => `partner-${String(i + 4).padStart(2, '0')}`),
);
const usernames = organisations.flatMap((o) => [`${o}.operator`, `${o}.coordinator`]);
const relayLockKey = 0x61636361; // the Relay's advisory lock (libs/messaging/src/relay.ts)

const ms = (p50: number, p99: number) => `p50 ${fixed(p50, 1)} ms, p99 ${fixed(p99, 1)} ms`;
// The seconds at the fixed rate before the measured ones, shown so the transition is not hidden.
const warmupRow = (warmup: { seconds: number; p50: number; p99: number }): Row => ({
  measure: `    the ${warmup.seconds} s before, at the same rate, not counted`,
  figure: ms(warmup.p50, warmup.p99),
});
const latency = (samples: number[]) => ms(percentile(samples, 50), percentile(samples, 99));
const cpu = (c: CpuPerOperation) =>
  `app ${fixed(c.app, 2)}, PostgreSQL ${fixed(c.postgres, 2)}, ` +
  Object.entries(c.others)
    .map(([name, ms]) => `${name} ${fixed(ms, 2)}, `)
    .join('') +
  `bench ${fixed(c.bench, 2)}, rest of machine ${fixed(c.rest, 2)} ms; ${fixed(c.machineBusyPercent)} % busy; ` +
  `taken by the host (steal) ${fixed(c.stolen, 2)} ms`;
const sessions = (s: SessionProfile) =>
  `running ${s.running}, lock wait ${s.lockWait}, I/O wait ${s.ioWait}, ` +
  `idle in transaction ${s.idleInTransaction}, idle ${s.idle}`;

function stolenPercent(): string {
  const now = cpuSnapshot(null, []);
  return fixed((100 * (now.stolen - cpuAtStart.stolen)) / (now.total - cpuAtStart.total), 1);
}

/** The processes besides the app whose CPU is shown on its own, when they run here: the relay, NATS. */
function namedProcesses(pids: { relay: number | null }): OtherTicks {
  const nats = natsServerPid();
  return {
    ...(pids.relay === null ? {} : { relay: () => processTicks(pids.relay!) }),
    ...(nats === null ? {} : { NATS: () => processTicks(nats) }),
  };
}

const git = (args: string) => execSync(`git ${args}`, { encoding: 'utf8' }).trim();
// What `npm run build` just compiled: recorded, and copied so later builds by others cannot change it.
const tree = {
  commit: git('rev-parse --short HEAD'),
  dirty: git('status --porcelain -- apps libs').split('\n').filter(Boolean),
};
const build = snapshotBuild();
const cleanup: Array<() => Promise<unknown>> = [async () => build.remove()];
const startedAt = new Date();
const loadAtStart = loadavg()[0];
// On a shared virtual machine the host takes cores away (steal): how much, over the whole run.
const cpuAtStart = cpuSnapshot(null, []);
const infrastructure = await startInfrastructure();
const adminUrl = infrastructure.databaseUrl;
const nats = await connect({ servers: infrastructure.natsUrl });
const jsm = await jetstreamManager(nats);
cleanup.push(() => nats.close());

async function freshDatabase(): Promise<{ name: string; url: string }> {
  const name = uniqueName('accanto_bench_');
  const url = await createDatabase(adminUrl, name);
  cleanup.push(async () => {
    await dropDatabase(adminUrl, url);
    rmSync(resolve(`.snapshot-${name}.json`), { force: true }); // MikroORM's migration snapshot, in the cwd
  });
  return { name, url };
}

/** The people app as a real process on a fresh database, which its own migration sets up. */
async function startPeople(
  namespace: string,
  issuer: string,
  relay: 'process' | 'in-app' | 'off' = 'in-app',
) {
  const db = await freshDatabase();
  cleanup.push(async () => {
    for (const stream of [streamNames(namespace).events, streamNames(namespace).deadLetter])
      await jsm.streams.delete(stream).catch(() => false);
  });
  if (relay === 'off') {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1)', [relayLockKey]);
    cleanup.push(() => holder.end());
  }
  const env = {
    DATABASE_URL: db.url,
    DATABASE_PROVISION: 'true',
    NATS_URL: infrastructure.natsUrl,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: issuer,
    LOG_LEVEL: 'warn',
    PEOPLE_MATCHER: matcherOff ? 'false' : 'true',
    PEOPLE_RELAY: relay === 'process' ? 'false' : 'true',
  };
  const app = await startAppProcess(build.root, env);
  cleanup.push(async () => {
    await app.stop();
    if (process.env.BENCH_APP_FLAGS)
      writeFileSync(resolve(`bench/results/app-${namespace}.log`), app.output());
  });
  if (relay !== 'process') return { ...app, db, relayPid: null };
  const relayProcess = await startRelayProcess('people', env, db.url);
  const stop = async () => {
    await relayProcess.stop();
    return app.stop();
  };
  return { ...app, stop, db, relayPid: relayProcess.pid };
}

/**
 * An app's relay as a process of its own (ADR 0011), started after the app, whose migration made the
 * database it reads; ready once it holds that database's relay lock.
 */
async function startRelayProcess(app: string, env: Record<string, string>, databaseUrl: string) {
  const owner = new pg.Client({ connectionString: databaseUrl });
  await owner.connect();
  cleanup.push(() => owner.end());
  const relayProcess = await startAppProcess(build.root, env, {
    app,
    file: 'relay',
    ready: async () =>
      (
        await owner.query(
          `select 1 from pg_locks where locktype = 'advisory' and objid = $1 and granted
              and database = (select oid from pg_database where datname = current_database())`,
          [relayLockKey],
        )
      ).rowCount === 1,
  });
  cleanup.push(() => relayProcess.stop());
  return relayProcess;
}

async function run(rows: Row[]) {
  const idp = await startDevIdentityProvider({ port: 0 });
  cleanup.push(() => idp.close());

  // (a) On a database the app migrated, then stopped: raw inserts get the machine, no relay runs.
  const rawApp = await startPeople(uniqueName('bench'), idp.issuer, 'in-app');
  await rawApp.stop();
  const actors: Actor[] = usernames.map((u) => ({
    userId: crypto.randomUUID(),
    organisation: u.split('.')[0],
    roles: [u.endsWith('operator') ? 'operator' : 'coordinator'],
  }));
  const appRoleUrl = urlFor(rawApp.db.url, { name: 'people_app', password: 'accanto-dev' });
  const raw = [];
  for (const c of connectionCounts) {
    const stopSampling = await sampleSessions(adminUrl, rawApp.db.name, 'people_app');
    const sample = () => cpuSnapshot(null, [rawApp.db.name]);
    const { before, after, ...run } = await rawInsertRate(appRoleUrl, actors, c, seconds.raw, sample);
    raw.push({ ...run, cpu: cpuPerOperation(before, after, run.committed), sessions: await stopSampling() });
  }
  for (const r of raw)
    rows.push({ measure: `(a) raw inserts, pg, c=${r.concurrency}`, figure: `${fixed(r.tps)} tx/s` });

  // (b) Registrations over HTTP: real tokens, validation, MikroORM, outbox; the relay publishing.
  const namespace = uniqueName('bench');
  const people = await startPeople(
    namespace,
    idp.issuer,
    relayOff ? 'off' : relayInApp ? 'in-app' : 'process',
  );
  const idleMemory = residentMemory(people.pid);
  const target: Target = {
    url: people.url,
    tokens: await Promise.all(usernames.map((u) => fetchToken(idp, u))),
  };
  await maxThroughput(target, 16, quick ? 1 : 3); // warm-up (JIT, pools, key set): not counted
  const max = [];
  const others = namedProcesses({ relay: people.relayPid });
  for (const c of connectionCounts) {
    const stopSampling = await sampleSessions(adminUrl, people.db.name, 'people_app');
    const before = cpuSnapshot(people.pid, [people.db.name], others);
    const run = await maxThroughput(target, c, seconds.max);
    const cpuUse = cpuPerOperation(before, cpuSnapshot(people.pid, [people.db.name], others), run.completed);
    max.push({ ...run, cpu: cpuUse, sessions: await stopSampling() });
  }
  for (const m of max) {
    const figure = `${fixed(m.rps)} req/s (${ms(m.p50, m.p99)}, ${m.failed} failed)`;
    rows.push({ measure: `(b) registrations, HTTP, max, c=${m.connections}`, figure });
  }
  const best = max.reduce((a, b) => (b.rps > a.rps ? b : a));
  const bestRaw = raw.reduce((a, b) => (b.tps > a.tps ? b : a));
  const ratio = best.rps / bestRaw.tps;
  rows.push(
    {
      measure: '(b) best HTTP / best raw',
      figure: `${fixed(ratio * 100, 1)} % (${fixed(best.rps)} / ${fixed(bestRaw.tps)})`,
      goal: '>= 30 %',
      met: ratio >= 0.3,
    },
    { measure: `    CPU ms per raw insert, c=${bestRaw.concurrency}`, figure: cpu(bestRaw.cpu) },
    { measure: `    CPU ms per registration, c=${best.connections}`, figure: cpu(best.cpu) },
    {
      measure: `    people_app sessions (avg), raw c=${bestRaw.concurrency}`,
      figure: sessions(bestRaw.sessions),
    },
    { measure: `    people_app sessions (avg), HTTP c=${best.connections}`, figure: sessions(best.sessions) },
  );
  const half = Math.max(1, Math.round(best.rps / 2));
  // The maximum runs leave the relay behind: the fixed rate starts once it has caught up, or its
  // first second would measure that backlog.
  if (!relayOff) await outboxBacklog(people.db.url, infrastructure.natsUrl, jsm, namespace, 30_000);
  const fixedRate = await openLoop(target, half, seconds.fixed, { warmupSeconds: seconds.warmup });
  rows.push(
    {
      measure: `(b) latency at ${half} req/s (half max), open loop, ${seconds.fixed} s`,
      figure: `${ms(fixedRate.p50, fixedRate.p99)} (achieved ${fixed(fixedRate.achieved)} req/s, ${fixedRate.failed} failed)`,
      goal: 'p99 < 50 ms',
      met: fixedRate.p99 < 50 && fixedRate.failed === 0,
    },
    warmupRow(fixedRate.warmup),
    { measure: '    how late the load generator sent, p99', figure: `${fixed(fixedRate.sendLagP99, 1)} ms` },
  );

  let events: Awaited<ReturnType<typeof eventLatency>> | null = null;
  let openTransactions: Record<string, number> | null = null;
  let backlog: Awaited<ReturnType<typeof outboxBacklog>> | null = null;
  if (relayOff) rows.push({ measure: '(c) skipped: BENCH_RELAY=off', figure: '' });
  else {
    // Every outbox row must reach the stream (a lost event shows here), and the backlog of the
    // throughput runs must be gone before latency means anything.
    backlog = await outboxBacklog(people.db.url, infrastructure.natsUrl, jsm, namespace, 30_000);
    rows.push({
      measure: '(b) outbox rows missing from the stream',
      figure: backlog.missing
        ? `${backlog.missing} after ${fixed(backlog.seconds)} s (details in the JSON)`
        : `0 (caught up ${fixed(backlog.seconds, 1)} s after the load)`,
      goal: '0',
      met: backlog.missing === 0,
    });

    // (c) Commit to consumer at a fixed rate.
    const consumerDb = await freshDatabase();
    const stopSampling = await sampleOpenTransactions(adminUrl, {
      people: people.db.name,
      consumer: consumerDb.name,
    });
    events = await eventLatency({
      nats,
      natsUrl: infrastructure.natsUrl,
      jsm,
      consumerDb: consumerDb.url,
      namespace,
      target,
      rate: eventRate,
      seconds: seconds.events,
      warmupSeconds: seconds.warmup,
      cleanup,
    });
    const open = (openTransactions = await stopSampling());
    rows.push(
      {
        measure: `(c) HTTP response -> consumer handler, ${eventRate}/s, ${seconds.events} s`,
        figure: `${latency(events.responseToHandler)} (${events.handled} of ${events.registered} events)`,
        goal: 'p99 < 10 ms',
        met: percentile(events.responseToHandler, 99) < 10 && events.handled === events.registered,
      },
      warmupRow({
        seconds: seconds.warmup,
        p50: percentile(events.warmupResponseToHandler, 50),
        p99: percentile(events.warmupResponseToHandler, 99),
      }),
      { measure: '    HTTP response -> message on NATS (relay)', figure: latency(events.responseToStream) },
      { measure: '    message on NATS -> handler (consumer)', figure: latency(events.streamToHandler) },
      {
        measure: '      of which NATS -> the follower process',
        figure: `${latency(events.streamToFollower)} (${events.streamToFollower.length} events)`,
      },
      {
        measure: '      of which in the follower -> handler',
        figure: latency(events.followerToHandler),
      },
      {
        measure: '    time a transaction with an xid was open',
        figure: `people db ${open.people} %, consumer db ${open.consumer} %, other databases ${open.elsewhere} %`,
      },
      {
        measure: '    recordedAt -> handler (wall clock, 1 ms)',
        figure: latency(events.recordedAtToHandler),
      },
      {
        measure: `    HTTP latency during (c), open loop`,
        figure: `${ms(events.http.p50, events.http.p99)}, ${events.http.failed} failed`,
      },
    );
  }

  // (d) Resident memory after all the load.
  const app = residentMemory(people.pid);
  const relayMemory = people.relayPid === null ? null : residentMemory(people.relayPid);
  const self = residentMemory('self');
  rows.push(
    {
      measure: '(d) people app RSS: idle / after load / peak',
      figure: `${fixed(idleMemory.rssMb)} / ${fixed(app.rssMb)} / ${fixed(app.peakMb)} MB`,
      goal: 'peak < 250 MB',
      met: app.peakMb < 250,
    },
    ...(relayMemory
      ? [
          {
            measure: '(d) people relay process RSS / peak',
            figure: `${fixed(relayMemory.rssMb)} / ${fixed(relayMemory.peakMb)} MB`,
            goal: 'peak < 250 MB',
            met: relayMemory.peakMb < 250,
          },
        ]
      : []),
    {
      measure: '(d) bench process (in-process IdP, load): RSS / peak',
      figure: `${fixed(self.rssMb)} / ${fixed(self.peakMb)} MB`,
    },
  );
  // (g) Overload, after (d) so that its memory is not counted there: half as much again as the
  // maximum, in an open loop. The app must keep serving near its maximum and refuse the rest with
  // 503 (libs/http load shedding), not queue them until its heap runs out, as it did before.
  const overloadRate = Math.round(best.rps * 1.5);
  const overload = await openLoop(target, overloadRate, seconds.overload);
  const alive = (await fetch(`${people.url}/people/health/live`).catch(() => null))?.status === 200;
  const afterOverload = alive ? residentMemory(people.pid) : null;
  rows.push({
    measure: `(g) overload: open loop at 1.5 x max (${overloadRate} req/s), ${seconds.overload} s`,
    figure:
      `served ${fixed(overload.achieved)} req/s (${ms(overload.p50, overload.p99)}), refused (503) ` +
      `${overload.refused}, other failures ${overload.failed - overload.refused}` +
      (overload.failed > overload.refused ? ` (${JSON.stringify(overload.failures)})` : '') +
      '; ' +
      (afterOverload ? `app alive, RSS peak ${fixed(afterOverload.peakMb)} MB` : 'app dead') +
      // At this rate the load generator itself falls behind, and its lateness counts in the latency.
      `; the load generator sent late by ${fixed(overload.sendLagP99, 1)} ms at p99`,
    goal: 'alive, no failure but 503',
    met: alive && overload.failed === overload.refused,
  });
  // People stops first: its matcher would still be working through the registrations' backlog.
  await people.stop();
  const outings = skipOutings ? null : await runOutings(rows, idp);
  return {
    raw,
    max,
    fixedRate,
    backlog,
    events,
    openTransactions,
    memory: { idleMemory, app, relay: relayMemory, self },
    overload: { rate: overloadRate, ...overload, alive, memory: afterOverload },
    outings,
  };
}

/** Issue 4's measures: the outings app as a real process on its own database and streams. */
async function runOutings(rows: Row[], idp: Awaited<ReturnType<typeof startDevIdentityProvider>>) {
  const namespace = uniqueName('bench');
  const db = await freshDatabase();
  cleanup.push(async () => {
    for (const stream of [streamNames(namespace).events, streamNames(namespace).deadLetter])
      await jsm.streams.delete(stream).catch(() => false);
  });
  // Its relay runs as people's does, a process of its own; with BENCH_RELAY=in-app or off, in the app
  // ((e) needs its events published).
  const relayProcess = !relayOff && !relayInApp;
  const env = {
    DATABASE_URL: db.url,
    DATABASE_PROVISION: 'true',
    NATS_URL: infrastructure.natsUrl,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: idp.issuer,
    LOG_LEVEL: 'warn',
    OUTINGS_RELAY: relayProcess ? 'false' : 'true',
  };
  const outingsApp = await startAppProcess(build.root, env, { app: 'outings' });
  cleanup.push(() => outingsApp.stop());
  const outingsRelay = relayProcess ? await startRelayProcess('outings', env, db.url) : null;
  const result = await measureOutings({
    url: outingsApp.url,
    pid: outingsApp.pid,
    database: db.name,
    others: namedProcesses({ relay: outingsRelay?.pid ?? null }),
    tokens: {
      operator: await fetchToken(idp, 'volontari-milano-aperta.operator'),
      coordinator: await fetchToken(idp, 'volontari-milano-aperta.coordinator'),
    },
    natsUrl: infrastructure.natsUrl,
    jsm,
    namespace,
    consumerDb: (await freshDatabase()).url,
    batches: quick ? 1 : 3,
    batchSize: 500,
    rate: contactRate,
    seconds: seconds.fixed,
    warmupSeconds: seconds.warmup,
    cleanup,
  });
  const memory = residentMemory(outingsApp.pid);
  rows.push(
    {
      measure: `(e) offline batch of 500 contacts: upload -> last event consumed (${result.batches.length} batches)`,
      figure: `${result.batches.map((b) => `${fixed(b.endToEndMs)} ms (response ${fixed(b.responseMs)} ms)`).join('; ')}`,
      goal: '< 2000 ms',
      met: result.worstBatchMs < 2000,
    },
    {
      measure: `(f) contact recording, max, c=${result.max.connections}`,
      figure: `${fixed(result.max.rps)} req/s (${ms(result.max.p50, result.max.p99)}, ${result.max.failed} failed)`,
    },
    { measure: `    CPU ms per contact, c=${result.max.connections}`, figure: cpu(result.max.cpu) },
    {
      measure: `(f) contact recording at ${contactRate} req/s, open loop, ${seconds.fixed} s`,
      figure: `${ms(result.single.p50, result.single.p99)} (achieved ${fixed(result.single.achieved)} req/s, ${result.single.failed} failed)`,
      goal: 'p99 < 50 ms',
      met: result.single.p99 < 50 && result.single.failed === 0,
    },
    warmupRow(result.single.warmup),
    {
      measure: '    how late the load generator sent, p99',
      figure: `${fixed(result.single.sendLagP99, 1)} ms`,
    },
    { measure: `    CPU ms per contact at ${contactRate} req/s`, figure: cpu(result.single.cpu) },
    {
      measure: '(d) outings app RSS / peak',
      figure: `${fixed(memory.rssMb)} / ${fixed(memory.peakMb)} MB`,
      goal: 'peak < 250 MB',
      met: memory.peakMb < 250,
    },
  );
  const relayMemory = outingsRelay ? residentMemory(outingsRelay.pid) : null;
  if (relayMemory)
    rows.push({
      measure: '(d) outings relay process RSS / peak',
      figure: `${fixed(relayMemory.rssMb)} / ${fixed(relayMemory.peakMb)} MB`,
      goal: 'peak < 250 MB',
      met: relayMemory.peakMb < 250,
    });
  return { ...result, memory, relayMemory };
}

let completed = false;
try {
  const rows: Row[] = [];
  const result = await run(rows);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const postgres = (await admin.query('show server_version')).rows[0].server_version;
  await admin.end();
  const machine = `${cpus().length} x ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${postgres}, nats-server ${nats.info?.version}`;
  const context = [
    `Machine: ${machine}. The ${cpus().length} cores are shared by the app, PostgreSQL, NATS and this process (load generator, raw inserts), the follower (the consumer of (c)), and by anything else running: load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end. The host took ${stolenPercent()} % of the cores' time during the run (steal).`,
    `Tree: ${tree.commit}${tree.dirty.length ? ` + uncommitted changes in ${tree.dirty.length} files under apps/ and libs/ (listed in the JSON)` : ''}.${relayOff ? ' BENCH_RELAY=off: relay in standby.' : relayInApp ? ' BENCH_RELAY=in-app: the relay runs in the app process.' : ' Each relay runs as a process of its own (PEOPLE_RELAY=false and OUTINGS_RELAY=false on the apps).'}${matcherOff ? ' BENCH_MATCHER=off: the app runs without its matcher.' : ' The app runs its matcher (issue 3) in-process.'}`,
    sameNames
      ? "Every registration has aPerson()'s name (BENCH_NAMES=same): the matcher's worst case."
      : "Registrations have aPerson()'s body with random names of the same lengths.",
  ];
  const title = `Accanto benchmark (people, outings), ${startedAt.toISOString()}${quick ? ' (BENCH_QUICK: figures meaningless)' : ''}`;
  console.log(`\n${title}\n${context.join('\n')}\n\n${textTable(rows)}\n`);
  const stamp =
    startedAt
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z') +
    (relayOff ? '-relay-off' : relayInApp ? '-relay-in-app' : '') +
    (matcherOff ? '-matcher-off' : '') +
    (sameNames ? '-same-names' : '');
  const dir = resolve(import.meta.dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { startedAt, quick, relayOff, matcherOff, seconds, machine, tree, rows, ...result },
    null,
    2,
  );
  const markdown = `# ${title}\n\n${context.join('\n\n')}\n\nCommand: \`npm run bench\`\n\n${markdownTable(rows)}\n`;
  // Profiling runs (relay off) keep their own file; `latest` is the standard run.
  for (const name of quick ? [] : relayOff || relayInApp || sameNames ? [stamp] : [stamp, 'latest']) {
    writeFileSync(resolve(dir, `${name}.json`), `${json}\n`);
    writeFileSync(resolve(dir, `${name}.md`), markdown);
  }
  if (!quick)
    console.log(
      `saved bench/results/${stamp}.{json,md}${relayOff || relayInApp || sameNames ? '' : ' and bench/results/latest.{json,md}'}`,
    );
  completed = true;
} finally {
  for (const step of cleanup.reverse())
    await step().catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
  try {
    if (completed && !skipMatching) {
      const report = await runMatchingBench(matchingBenchOptions(adminUrl, quick));
      console.log(matchingMarkdown(report));
      if (!quick) await saveMatchingReport(report);
    }
  } finally {
    await infrastructure.stop();
  }
}
