import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { migrateDatabase, urlFor } from '#persistence';
import { appRole, relayRole, type PeopleConfig } from './config.js';
import { Consent } from './consents/consent.entity.js';
import { MigrationPeople0001 } from './migrations/migration-0001-people.js';
import { MigrationPeople0002 } from './migrations/migration-0002-protection-and-access-log.js';
import { MigrationPeople0003 } from './migrations/migration-0003-consent-refusals.js';
import { MigrationPeople0004 } from './migrations/migration-0004-links.js';
import { MigrationPeople0005 } from './migrations/migration-0005-match-candidates.js';
import { MigrationPeople0006 } from './migrations/migration-0006-seal-events-at-commit.js';
import { migrationPeople0007 } from './migrations/migration-0007-sealed-identity.js';
import { migrationPeople0008 } from './migrations/migration-0008-match-keys-for-partial-names.js';
import { migrationPeople0009 } from './migrations/migration-0009-network-cards.js';
import { MigrationPeople0010 } from './migrations/migration-0010-card-search-index.js';
import { migrationPeople0011 } from './migrations/migration-0011-french-spellings-in-match-keys.js';
import { migrationPeople0012 } from './migrations/migration-0012-name-groups-in-match-keys.js';
import { PersonVault } from './vault/person-vault.js';
import { Person } from './persons/person.entity.js';

export const entities = [Person, Consent];

/** The app connects as `people_app`, which is not the tables' owner, so row-level security applies. */
export function appOrmOptions(config: PeopleConfig): Options {
  return defineConfig({
    clientUrl: urlFor(config.database.ownerUrl, { name: appRole, password: config.database.appPassword }),
    entities,
    metadataProvider: ReflectMetadataProvider,
    pool: { min: 0, max: config.database.poolMax },
    allowGlobalContext: false,
    ensureDatabase: false,
    debug: false,
  });
}

/**
 * Provisions (development) and migrates the database as its owner, before the app starts. `upTo`
 * stops after the named migration: a test fills an older schema, then migrates the rest.
 */
export function prepareDatabase(config: PeopleConfig, upTo?: string): Promise<void> {
  const vault = new PersonVault(config.masterKey);
  const migrations = [
    { name: 'people-0001', class: MigrationPeople0001 },
    { name: 'people-0002', class: MigrationPeople0002 },
    { name: 'people-0003', class: MigrationPeople0003 },
    { name: 'people-0004', class: MigrationPeople0004 },
    { name: 'people-0005', class: MigrationPeople0005 },
    { name: 'people-0006', class: MigrationPeople0006 },
    { name: 'people-0007', class: migrationPeople0007(vault) },
    { name: 'people-0008', class: migrationPeople0008(vault) },
    { name: 'people-0009', class: migrationPeople0009(vault) },
    { name: 'people-0010', class: MigrationPeople0010 },
    { name: 'people-0011', class: migrationPeople0011(vault) },
    { name: 'people-0012', class: migrationPeople0012(vault) },
  ];
  return migrateDatabase({
    ownerUrl: config.database.ownerUrl,
    provision: config.database.provision
      ? [
          { name: appRole, password: config.database.appPassword },
          { name: relayRole, password: config.database.relayPassword },
        ]
      : null,
    entities,
    migrations,
    service: 'people',
    upTo,
  });
}
