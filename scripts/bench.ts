import { execSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Actor } from '#contracts';
import { startDevIdentityProvider } from '#dev-identity';
import { messagingMigrationSql, natsSubject, startConsumer, streamNames } from '#messaging';
import { urlFor } from '#persistence';
import { createDatabase, dropDatabase, fetchToken, startInfrastructure, uniqueName } from '#testing';
import { maxThroughput, openLoop, percentile, type Target } from './bench/load.js';
import { cpuPerOperation, cpuSnapshot } from './bench/cpu.js';
import { startPeopleProcess } from './bench/people-process.js';
import { rawInsertRate } from './bench/registration.js';
import { fixed, markdownTable, residentMemory, textTable, type Row } from './bench/report.js';

// `npm run bench`. BENCH_QUICK=1 checks the script itself in seconds: its figures mean nothing.
const quick = process.env.BENCH_QUICK === '1';
const seconds = quick
  ? { baseline: 2, max: 2, fixed: 3, events: 3 }
  : { baseline: 10, max: 10, fixed: 15, events: 20 };
const connectionCounts = quick ? [8] : [8, 16, 32];
const eventRate = 100;
// 16 organisations, an operator and a coordinator each: 32 simulated users, one token each.
const organisations = ['cri-milano', 'volontari-milano-aperta', 'casa-della-carita'].concat(
  Array.from({ length: 13 }, (_, i) => `partner-${String(i + 4).padStart(2, '0')}`),
);
const usernames = organisations.flatMap((o) => [`${o}.operator`, `${o}.coordinator`]);
const ms = (p50: number, p99: number) => `p50 ${fixed(p50, 1)} ms, p99 ${fixed(p99, 1)} ms`;

const cleanup: Array<() => Promise<unknown>> = [];
const startedAt = new Date();
// Other work on the machine skews every figure: the load average is printed with them.
const loadAtStart = loadavg()[0].toFixed(1);
const infrastructure = await startInfrastructure();
const adminUrl = infrastructure.databaseUrl;
const nats = await connect({ servers: infrastructure.natsUrl });
const jsm = await jetstreamManager(nats);
cleanup.push(() => nats.close());

/** A fresh database, migrated and served by the people app as a real process (OpenTelemetry registered). */
async function startPeople(namespace: string, issuer: string) {
  const name = uniqueName('accanto_bench_');
  const databaseUrl = await createDatabase(adminUrl, name);
  cleanup.push(() => dropDatabase(adminUrl, databaseUrl));
  cleanup.push(async () => {
    for (const stream of Object.values(streamNames(namespace)).filter((n) => /^[A-Z_0-9]+$/.test(n)))
      await jsm.streams.delete(stream).catch(() => false);
    rmSync(resolve(`.snapshot-${name}.json`), { force: true }); // MikroORM's migration snapshot, in the cwd
  });
  const app = await startPeopleProcess({
    DATABASE_URL: databaseUrl,
    DATABASE_PROVISION: 'true',
    NATS_URL: infrastructure.natsUrl,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: issuer,
    LOG_LEVEL: 'warn',
  });
  cleanup.push(() => app.stop());
  return { app, name, databaseUrl, pid: app.pid };
}

async function run() {
  const rows: Row[] = [];
  const idp = await startDevIdentityProvider({ port: 0 });
  cleanup.push(() => idp.close());

  // (a) The baseline's database is migrated by the app itself, which then stops: the raw inserts
  // get the whole machine and no relay publishes their rows.
  const baselineDb = await startPeople(uniqueName('bench'), idp.issuer);
  await baselineDb.app.stop();
  const actors: Actor[] = usernames.map((u) => ({
    userId: crypto.randomUUID(),
    organisation: u.split('.')[0],
    roles: [u.endsWith('operator') ? 'operator' : 'coordinator'],
  }));
  const appRoleUrl = urlFor(baselineDb.databaseUrl, { name: 'people_app', password: 'accanto-dev' });
  const baseline = [];
  for (const c of connectionCounts) {
    const run = await rawInsertRate(appRoleUrl, actors, c, seconds.baseline, () =>
      cpuSnapshot(null, [baselineDb.name]),
    );
    baseline.push({ ...run, cpu: cpuPerOperation(run.before, run.after, run.committed) });
  }
  for (const b of baseline)
    rows.push({
      measure: `(a) raw inserts (pg, people_app), c=${b.concurrency}`,
      figure: `${fixed(b.tps)} tx/s`,
    });

  // (b) Registrations over HTTP: real tokens, validation, MikroORM, outbox, relay running.
  const namespace = uniqueName('bench');
  const people = await startPeople(namespace, idp.issuer);
  const idleMemory = residentMemory(people.pid);
  const target: Target = {
    url: people.app.url,
    tokens: await Promise.all(usernames.map((u) => fetchToken(idp, u))),
  };
  await maxThroughput(target, 16, quick ? 1 : 3); // warm-up: JIT, pools, the key set; not counted
  const max = [];
  for (const c of connectionCounts) {
    const before = cpuSnapshot(people.pid, [people.name]);
    const run = await maxThroughput(target, c, seconds.max);
    max.push({ ...run, cpu: cpuPerOperation(before, cpuSnapshot(people.pid, [people.name]), run.completed) });
  }
  const best = max.reduce((a, b) => (b.rps > a.rps ? b : a));
  const bestRaw = baseline.reduce((a, b) => (b.tps > a.tps ? b : a));
  for (const m of max) {
    rows.push({
      measure: `(b) registrations over HTTP, max, c=${m.connections}`,
      figure: `${fixed(m.rps)} req/s (${ms(m.p50, m.p99)}, ${m.failed} failed)`,
    });
  }
  const ratio = best.rps / bestRaw.tps;
  rows.push({
    measure: '(b) best HTTP / best raw',
    figure: `${fixed(ratio * 100, 1)} % (${fixed(best.rps)} / ${fixed(bestRaw.tps)})`,
    goal: '>= 30 %',
    met: ratio >= 0.3,
  });
  const cpu = (c: ReturnType<typeof cpuPerOperation>, app = true) =>
    `${app ? `app ${fixed(c.app, 2)}, ` : ''}PostgreSQL ${fixed(c.postgres, 2)}, bench ${fixed(c.bench, 2)}, ` +
    `rest ${fixed(c.rest, 2)} ms; machine ${fixed(c.machineBusyPercent)} % busy`;
  rows.push(
    { measure: `    CPU per raw insert, c=${bestRaw.concurrency}`, figure: cpu(bestRaw.cpu, false) },
    { measure: `    CPU per registration, c=${best.connections}`, figure: cpu(best.cpu) },
  );
  const half = Math.max(1, Math.round(best.rps / 2));
  const fixedRate = await openLoop(target, half, seconds.fixed);
  rows.push({
    measure: `(b) latency at ${half} req/s (half max), open loop, ${seconds.fixed} s`,
    figure: `${ms(fixedRate.p50, fixedRate.p99)} (achieved ${fixed(fixedRate.achieved)} req/s, ${fixedRate.failed} failed)`,
    goal: 'p99 < 50 ms',
    met: fixedRate.p99 < 50 && fixedRate.failed === 0,
  });

  // The relay must have published the load's backlog before latency means anything.
  const owner = new pg.Client({ connectionString: people.databaseUrl });
  await owner.connect();
  cleanup.push(() => owner.end());
  const drainStart = performance.now();
  let backlog = Number.NaN;
  while (performance.now() - drainStart < 30_000) {
    const recorded = (await owner.query('select count(*)::int as n from event_log')).rows[0].n as number;
    backlog = recorded - (await jsm.streams.info(streamNames(namespace).events)).state.messages;
    if (backlog <= 0) break;
    await sleep(200);
  }
  const drainSeconds = (performance.now() - drainStart) / 1000;
  rows.push({
    measure: '(b) outbox rows not on the stream after the load',
    figure:
      backlog <= 0
        ? `0 (caught up after ${fixed(drainSeconds, 1)} s)`
        : `${backlog} still missing after 30 s`,
    goal: '0',
    met: backlog <= 0,
  });

  // (c) A durable consumer in another service's database. Created here first with DeliverPolicy.New
  // (startConsumer keeps an existing consumer) so it follows only this phase, not the backlog of (b).
  const consumerDb = await createDatabase(adminUrl, uniqueName('accanto_bench_'));
  cleanup.push(() => dropDatabase(adminUrl, consumerDb));
  const setup = new pg.Client({ connectionString: consumerDb });
  await setup.connect();
  await setup.query(messagingMigrationSql({ app: 'postgres', relay: 'postgres' }));
  await setup.end();
  const orm = await MikroORM.init({
    clientUrl: consumerDb,
    entities: [],
    discovery: { warnWhenNoEntities: false },
  });
  cleanup.push(() => orm.close());
  const filterSubject = natsSubject('accanto.people.>', namespace);
  await jsm.consumers.add(streamNames(namespace).events, {
    durable_name: 'bench-follower',
    filter_subject: filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
  });
  const responded = new Map<string, number>();
  const onStream = new Map<string, number>();
  const handled = new Map<string, { at: number; wallClock: number; recordedAt: string }>();
  // A plain NATS subscription sees each message when the relay publishes it: splits relay from consumer.
  const tap = nats.subscribe(natsSubject('accanto.people.person-registered.v1', namespace), {
    callback: (_error, msg) =>
      void onStream.set(
        (msg.json() as { subjects: { personId: string } }).subjects.personId,
        performance.now(),
      ),
  });
  cleanup.push(async () => tap.unsubscribe());
  const consumer = await startConsumer({
    nats,
    namespace,
    orm,
    durable: 'bench-follower',
    filterSubject: 'accanto.people.>',
    handlers: {
      'accanto.people.person-registered.v1': async (event) => {
        handled.set(event.subjects.personId, {
          at: performance.now(),
          wallClock: Date.now(),
          recordedAt: event.recordedAt,
        });
      },
    },
  });
  cleanup.push(() => consumer.stop());
  const eventLoad = await openLoop(target, eventRate, seconds.events, (id, at) => responded.set(id, at));
  for (let waited = 0; waited < 5000 && handled.size < responded.size; waited += 100) await sleep(100);
  const ids = [...responded.keys()].filter((id) => handled.has(id));
  const delays = (from: (id: string) => number | undefined, to: (id: string) => number | undefined) =>
    ids.flatMap((id) => (from(id) !== undefined && to(id) !== undefined ? [to(id)! - from(id)!] : []));
  const events = {
    responseToHandler: delays(
      (id) => responded.get(id),
      (id) => handled.get(id)?.at,
    ),
    responseToStream: delays(
      (id) => responded.get(id),
      (id) => onStream.get(id),
    ),
    streamToHandler: delays(
      (id) => onStream.get(id),
      (id) => handled.get(id)?.at,
    ),
    recordedToHandler: delays(
      (id) => Date.parse(handled.get(id)!.recordedAt),
      (id) => handled.get(id)!.wallClock,
    ),
  };
  const p = (samples: number[]) => ms(percentile(samples, 50), percentile(samples, 99));
  rows.push(
    {
      measure: `(c) HTTP response -> consumer handler, ${eventRate} ev/s, ${seconds.events} s`,
      figure: `${p(events.responseToHandler)} (${ids.length} of ${responded.size} events handled)`,
      goal: 'p99 < 10 ms',
      met: percentile(events.responseToHandler, 99) < 10 && ids.length === responded.size,
    },
    { measure: '    HTTP response -> message on NATS (relay)', figure: p(events.responseToStream) },
    { measure: '    message on NATS -> handler (consumer)', figure: p(events.streamToHandler) },
    { measure: '    envelope recordedAt -> handler (wall clock, 1 ms)', figure: p(events.recordedToHandler) },
    {
      measure: `(c) HTTP latency at ${eventRate} req/s, open loop`,
      figure: `${ms(eventLoad.p50, eventLoad.p99)} (${eventLoad.failed} failed)`,
    },
  );

  // (d) Resident memory after all the load.
  const app = residentMemory(people.pid);
  const self = residentMemory('self');
  rows.push(
    {
      measure: '(d) people app RSS: idle / after load / peak (VmHWM)',
      figure: `${fixed(idleMemory.rssMb)} / ${fixed(app.rssMb)} / ${fixed(app.peakMb)} MB`,
      goal: 'peak < 250 MB',
      met: app.peakMb < 250,
    },
    {
      measure: '(d) bench process (+ in-process IdP, autocannon, consumer): RSS / peak',
      figure: `${fixed(self.rssMb)} / ${fixed(self.peakMb)} MB`,
    },
  );
  return {
    rows,
    baseline,
    max,
    fixedRate,
    backlog: { backlog, drainSeconds },
    eventLoad,
    memory: { idleMemory, app, self },
  };
}

const git = (args: string) => execSync(`git ${args}`, { encoding: 'utf8' }).trim();
const machine = {
  cpus: `${cpus().length} x ${cpus()[0]?.model}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  postgres: '',
  nats: nats.info?.version ?? 'unknown',
};
const tree = {
  commit: git('rev-parse --short HEAD'),
  uncommittedInAppsAndLibs: git('status --porcelain -- apps libs').split('\n').filter(Boolean),
};
try {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  machine.postgres = (await admin.query('show server_version')).rows[0].server_version;
  await admin.end();
  const result = await run();
  const title = `Accanto people benchmark, ${startedAt.toISOString()}${quick ? ' (BENCH_QUICK: figures meaningless)' : ''}`;
  const context =
    `Machine: ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}, ` +
    `nats-server ${machine.nats}. The ${cpus().length} cores are shared by the app, PostgreSQL, NATS and this process ` +
    `(load generator, baseline, consumer). Tree: ${tree.commit}` +
    ` Load average (1 min) at start / end: ${loadAtStart} / ${loadavg()[0].toFixed(1)}.` +
    (tree.uncommittedInAppsAndLibs.length
      ? ` + uncommitted: ${tree.uncommittedInAppsAndLibs.join(', ')}`
      : '');
  console.log(`\n${title}\n${context}\n\n${textTable(result.rows)}\n`);
  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const dir = resolve(import.meta.dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { startedAt, quick, seconds, connectionCounts, machine, tree, ...result },
    null,
    2,
  );
  const markdown = `# ${title}\n\n${context}\n\nCommand: \`npm run bench\`\n\n${markdownTable(result.rows)}\n`;
  for (const name of [stamp, 'latest']) {
    writeFileSync(resolve(dir, `${name}.json`), `${json}\n`);
    writeFileSync(resolve(dir, `${name}.md`), markdown);
  }
  console.log(`saved bench/results/${stamp}.{json,md} and bench/results/latest.{json,md}`);
} finally {
  for (const step of cleanup.reverse())
    await step().catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
  await infrastructure.stop();
}
