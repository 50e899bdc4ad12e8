import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDevIdentityProvider } from '#dev-identity';
import { createDatabase, dropDatabase, fetchToken, startInfrastructure, uniqueName } from '#testing';
import { startAppProcess } from './app-process.js';
import { backendTicks, processTicks } from './cpu.js';
import { openLoop } from './load.js';
import { contactsOfAnOuting } from './outings.js';
import { residentMemory } from './report.js';

// One app alone (no relay, no follower) at a fixed rate, started with the given Node flags, and what
// its garbage collector did: for trying V8 flags, or profiling (--cpu-prof), in seconds instead of a
// whole `npm run bench`. The people app registers persons; the outings app records single contacts.
//
//   npm run build && node dist/scripts/bench/app-alone.js 190 30 "--v8-pool-size=1" [people|outings]
//
// Arguments: rate (req/s), seconds, extra Node flags (after appNodeFlags, so they can override them),
// the app. Prints p50/p99 and, per request, the bytes allocated and promoted to the old generation
// (--trace-gc-nvp), the number of scavenges and mark-compacts, and the resident memory at the end.
const [rate = '190', seconds = '30', flags = '', appName = 'people'] = process.argv.slice(2);
if (appName !== 'people' && appName !== 'outings') throw new Error(`no app ${appName}: people or outings`);
const warmupSeconds = 3;

const infrastructure = await startInfrastructure();
const idp = await startDevIdentityProvider({ port: 0 });
const namespace = uniqueName('alone');
const databaseUrl = await createDatabase(infrastructure.databaseUrl, namespace);
// dist/scripts/bench → the repository root, whose dist/ holds the build.
const app = await startAppProcess(
  resolve(import.meta.dirname, '../../..'),
  {
    DATABASE_URL: databaseUrl,
    DATABASE_PROVISION: 'true',
    OIDC_ISSUER: idp.issuer,
    NATS_URL: infrastructure.natsUrl,
    NATS_NAMESPACE: namespace,
    LOG_LEVEL: 'warn',
    PEOPLE_MATCHER: 'false',
    PEOPLE_RELAY: 'false',
    OUTINGS_RELAY: 'false',
  },
  { app: appName, flags: ['--trace-gc-nvp', ...flags.split(' ').filter(Boolean)] },
);
try {
  const organisations = ['cri-milano', 'volontari-milano-aperta', 'casa-della-carita'];
  const tokens = await Promise.all(organisations.map((o) => fetchToken(idp, `${o}.operator`)));
  const options =
    appName === 'people'
      ? { warmupSeconds }
      : {
          warmupSeconds,
          request: await contactsOfAnOuting(app.url, {
            operator: tokens[1],
            coordinator: await fetchToken(idp, 'volontari-milano-aperta.coordinator'),
          }),
        };
  const startedAt = app.output().length; // start-up's GCs are not the load's
  const database = new URL(databaseUrl).pathname.slice(1);
  const ticksBefore = processTicks(app.pid);
  const postgresBefore = backendTicks([database]);
  const target = { url: app.url, tokens: appName === 'people' ? tokens : [tokens[1]] };
  const run = await openLoop(target, Number(rate), Number(seconds), options);
  // /proc ticks are 10 ms: over thousands of requests, CPU per request to a few hundredths of a ms.
  const cpuMs = (processTicks(app.pid) - ticksBefore) * 10;
  const postgresMs = (backendTicks([database]) - postgresBefore) * 10;
  const memory = (() => {
    try {
      return `${residentMemory(app.pid).rssMb.toFixed(0)} MB`;
    } catch {
      // The app died under the load: what it said last says why.
      const said = app
        .output()
        .split('\n')
        .filter((line) => !line.includes(' gc='));
      return `none: the app exited. Its last words:\n${said.slice(-30).join('\n')}`;
    }
  })();
  const gcs = app
    .output()
    .slice(startedAt)
    .split('\n')
    .filter((line) => line.includes(' gc='))
    .map((line) => Object.fromEntries([...line.matchAll(/(\S+)=(\S+)/g)].map((m) => [m[1], m[2]])));
  const requests = Number(rate) * (Number(seconds) + warmupSeconds);
  const sum = (key: string) => gcs.reduce((total, gc) => total + Number(gc[key] ?? 0), 0);
  // A mark-compact's pause stops every request in flight, and those queued behind it wait too.
  const pauses = (kind: (gc: Record<string, string>) => boolean) => {
    const ms = gcs.filter(kind).map((gc) => Number(gc.pause));
    return `${ms.length}, pauses ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, longest ${Math.max(0, ...ms).toFixed(1)} ms`;
  };
  if (process.env.GC_LOG) writeFileSync(process.env.GC_LOG, JSON.stringify(gcs, null, 1));
  console.log(
    [
      `${rate} req/s for ${seconds} s, flags "${flags}": p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, ${run.failed} failed`,
      `per request: CPU ${(cpuMs / run.completed).toFixed(2)} ms in the app, ${(postgresMs / run.completed).toFixed(2)} ms in PostgreSQL; allocated ${(sum('allocated') / requests / 1024).toFixed(0)} KB, promoted ${(sum('promoted') / requests / 1024).toFixed(1)} KB`,
      `scavenges ${pauses((gc) => gc.gc === 's')}; mark-compacts ${pauses((gc) => gc.gc !== 's')}`,
      `resident memory ${memory}`,
    ].join('\n'),
  );
} finally {
  await app.stop();
  await idp.close();
  await dropDatabase(infrastructure.databaseUrl, databaseUrl);
  await infrastructure.stop();
}
