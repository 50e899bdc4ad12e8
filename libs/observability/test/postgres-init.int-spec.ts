import { execFile, spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { uniqueName } from '#testing';

// deploy/postgres/10-create-databases.sh against a real server, as the PostgreSQL image runs it
// (psql as the superuser). It needs psql, which comes with a PostgreSQL install but not with the
// embedded server the tests fall back to.
const script = resolve(import.meta.dirname, '../../../deploy/postgres/10-create-databases.sh');
const hasPsql = spawnSync('psql', ['--version']).status === 0;
const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

const app = uniqueName('obs');
const service = uniqueName('obskc');
const roles = [`${app}_owner`, `${app}_app`, `${app}_relay`, `${service}_owner`];

// Whether a PostgreSQL SCRAM-SHA-256 verifier (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`)
// was made from `password` (RFC 5802: StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key"))).
function scramMatches(verifier: string, password: string): boolean {
  const [, iterationsAndSalt, keys] = verifier.split('$');
  const [iterations, salt] = iterationsAndSalt.split(':');
  const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
  const storedKey = createHash('sha256')
    .update(createHmac('sha256', salted).update('Client Key').digest())
    .digest('base64');
  return keys.split(':')[0] === storedKey;
}

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (!hasPsql) return;
  for (const database of [app, service]) await query(`drop database if exists "${database}" with (force)`);
  for (const role of roles) await query(`drop role if exists "${role}"`);
});

(hasPsql ? describe : describe.skip)('deploy/postgres/10-create-databases.sh', () => {
  it('creates each app database owned by <db>_owner, with _app and _relay roles that may only connect', async () => {
    await promisify(execFile)('bash', [script], {
      env: {
        ...process.env,
        PGHOST: adminUrl.hostname,
        PGPORT: adminUrl.port || '5432',
        PGPASSWORD: decodeURIComponent(adminUrl.password),
        POSTGRES_USER: decodeURIComponent(adminUrl.username),
        ACCANTO_DATABASES: app,
        ACCANTO_SERVICE_DATABASES: service,
        ACCANTO_DB_PASSWORD: 'shared-dev-password',
        [`${app.toUpperCase()}_APP_PASSWORD`]: 'own-app-password',
      },
    });

    const created = await query<{ rolname: string; privileged: boolean }>(
      `select rolname, rolsuper or rolbypassrls or rolcreaterole or rolcreatedb as privileged
         from pg_roles where rolname = any($1) order by rolname`,
      [roles],
    );
    expect(created).toEqual([...roles].sort().map((rolname) => ({ rolname, privileged: false })));

    const databases = await query<{ datname: string; owner: string; acl: string[] }>(
      `select datname, pg_get_userbyid(datdba) as owner, datacl::text[] as acl
         from pg_database where datname = any($1) order by datname`,
      [[app, service]],
    );
    const byName = Object.fromEntries(databases.map((database) => [database.datname, database]));
    expect(byName[app].owner).toBe(`${app}_owner`);
    expect(byName[service].owner).toBe(`${service}_owner`);
    // Connect only, for the app and relay roles; nothing for PUBLIC (no `=c/` entry).
    expect(byName[app].acl).toEqual(
      expect.arrayContaining([`${app}_app=c/${app}_owner`, `${app}_relay=c/${app}_owner`]),
    );
    expect(byName[app].acl.some((entry) => entry.startsWith('='))).toBe(false);

    // Per-role passwords win over the shared one.
    const [appRole, relayRole] = await query<{ rolpassword: string }>(
      'select rolpassword from pg_authid where rolname = any($1) order by rolname',
      [[`${app}_app`, `${app}_relay`]],
    );
    expect(scramMatches(appRole.rolpassword, 'own-app-password')).toBe(true);
    expect(scramMatches(relayRole.rolpassword, 'shared-dev-password')).toBe(true);
    expect(scramMatches(relayRole.rolpassword, 'own-app-password')).toBe(false);
  });
});
