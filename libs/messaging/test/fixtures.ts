import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createDatabase, dropDatabase, eventually, uniqueName } from '#testing';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EventLog, type NewEvent } from '../src/event-log.js';
import { messagingMigrationSql } from '../src/schema.js';
import { streamNames } from '../src/streams.js';

const password = 'accanto-test';

export type TestDatabase = {
  /** Superuser on the test database: arranges and inspects what the roles may not. */
  admin: pg.Pool;
  appUrl: string;
  relayUrl: string;
  roles: { app: string; relay: string };
  drop(): Promise<void>;
};

function urlAs(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

/** A fresh database with the messaging schema, owned by the superuser, and its own app and relay roles. */
export async function createMessagingDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL!;
  const url = await createDatabase(adminUrl);
  const roles = { app: uniqueName('app_'), relay: uniqueName('relay_') };
  const admin = new pg.Pool({ connectionString: url, max: 3 });
  // DROP DATABASE ... WITH (FORCE) may reach a connection the pool is still closing.
  admin.on('error', () => undefined);
  for (const role of Object.values(roles))
    await admin.query(`create role "${role}" login password '${password}'`);
  await admin.query(messagingMigrationSql(roles));
  return {
    admin,
    appUrl: urlAs(url, roles.app),
    relayUrl: urlAs(url, roles.relay),
    roles,
    async drop() {
      await admin.end();
      await dropDatabase(adminUrl, url);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      for (const role of Object.values(roles)) await client.query(`drop role if exists "${role}"`);
      await client.end();
    },
  };
}

/** MikroORM as the app connects: its own role, no entities needed for raw SQL. */
export function openOrm(url: string): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: url,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 4 },
  });
}

export function personRegistered(
  overrides: Partial<NewEvent<'accanto.people.person-registered.v1'>> = {},
): NewEvent<'accanto.people.person-registered.v1'> {
  const personId = uuidv7();
  return {
    subject: 'accanto.people.person-registered.v1',
    payload: { personId, identified: true, ageBand: '35-44', usualArea: 'stazione-centrale' },
    subjects: { personId },
    organisation: 'cri-milano',
    actor: { userId: 'u-1', organisation: 'cri-milano', roles: ['operator'] },
    correlationId: uuidv7(),
    ...overrides,
  };
}

const eventLog = new EventLog();

/** Appends in a transaction of its own, as a service method would. */
export function append(orm: MikroORM, events: NewEvent[]) {
  return orm.em.fork().transactional((em) => eventLog.append(em, events));
}

/** Every message in a stream, read by sequence (no consumer left behind). */
export async function streamMessages(jsm: JetStreamManager, stream: string): Promise<StoredMsg[]> {
  const { state } = await jsm.streams.info(stream);
  const messages: StoredMsg[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message) messages.push(message);
  }
  return messages;
}

export async function deleteStreams(nats: NatsConnection, namespace: string): Promise<void> {
  const jsm = await jetstreamManager(nats);
  const names = streamNames(namespace);
  for (const name of [names.events, names.deadLetter]) await jsm.streams.delete(name).catch(() => undefined);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function reachable(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

export type PrivateNats = {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
};

/** A nats-server of the test's own, to stop and restart (same port, same store). */
export async function privateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'accanto-nats-'));
  let child: ChildProcess | null = null;
  const server: PrivateNats = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
        stdio: 'ignore',
      });
      await eventually(() => reachable(port));
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      child = null;
    },
    async remove() {
      await server.stop();
      rmSync(store, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
