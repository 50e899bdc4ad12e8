import pg from 'pg';

export type DatabaseRole = { name: string; password?: string };

/** A copy of `url` that logs in as another user (same host, port and database). */
export function urlFor(url: string, user: DatabaseRole, database?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user.name);
  parsed.password = user.password ? encodeURIComponent(user.password) : '';
  if (database) parsed.pathname = `/${database}`;
  return parsed.toString();
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

function quote(name: string): string {
  if (!identifier.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Development and test convenience: creates the app's database and its login roles when they are
 * missing. In production the operator creates them; the app then only runs migrations.
 */
export async function provisionDatabase(
  adminUrl: string,
  database: string,
  roles: DatabaseRole[],
): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database ${quote(database)}`);
    for (const role of roles) {
      // Roles are cluster-wide and test runs share a server: tolerate a concurrent creator.
      await client.query(
        `do $$ begin
           if not exists (select from pg_roles where rolname = '${role.name}') then
             create role ${quote(role.name)} login;
           end if;
         exception when duplicate_object or unique_violation then null; end $$`,
      );
      if (role.password) {
        await client.query(`alter role ${quote(role.name)} password ${pg.escapeLiteral(role.password)}`);
      }
      await client.query(`grant connect on database ${quote(database)} to ${quote(role.name)}`);
    }
  } finally {
    await client.end();
  }
}
