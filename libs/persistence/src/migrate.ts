import { defineConfig, MikroORM, type MigrationObject, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { provisionDatabase } from './provisioning.js';

export type MigrateOptions = {
  /** The database owner's URL: migrations run as the owner of the tables. */
  ownerUrl: string;
  /** Development and tests: create the database and these login roles first when missing. */
  provision: Array<{ name: string; password: string }> | null;
  entities: NonNullable<Options['entities']>;
  /** Hand-written migrations in order; names are what `mikro_orm_migrations` records. */
  migrations: MigrationObject[];
  /** Names the advisory lock that replicas starting together queue on. */
  service: string;
  /** Stops after this migration: tests of what a later one does to data written before it. */
  upTo?: string;
};

/** Provisions (development) and migrates an app's database as its owner, before the app starts. */
export async function migrateDatabase(options: MigrateOptions): Promise<void> {
  const { ownerUrl } = options;
  if (options.provision) {
    const admin = new URL(ownerUrl);
    const database = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    await provisionDatabase(admin.toString(), database, options.provision);
  }
  const orm = await MikroORM.init(
    defineConfig({
      clientUrl: ownerUrl,
      entities: options.entities,
      metadataProvider: ReflectMetadataProvider,
      extensions: [Migrator],
      migrations: {
        migrationsList:
          options.upTo === undefined
            ? options.migrations
            : options.migrations.slice(0, options.migrations.findIndex((m) => m.name === options.upTo) + 1),
        transactional: true,
        silent: true,
        // Migrations are written by hand: no schema snapshot files next to them.
        snapshot: false,
      },
      pool: { min: 0, max: 1 },
      allowGlobalContext: true,
    }),
  );
  // Replicas start together: one migrates while the others wait on the lock, then find nothing to do.
  const lock = new pg.Client({ connectionString: ownerUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [`accanto-${options.service}-migrations`]);
    await orm.migrator.up();
  } finally {
    await lock.end();
    await orm.close();
  }
}
