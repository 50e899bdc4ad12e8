import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { migrateDatabase, urlFor } from '#persistence';
import { appRole, relayRole, type OutingsConfig } from './config.js';
import { MigrationOutings0001 } from './migrations/migration-0001-outings.js';
import { MigrationOutings0002 } from './migrations/migration-0002-contacts.js';
import { MigrationOutings0003 } from './migrations/migration-0003-alerts.js';
import { MigrationOutings0004 } from './migrations/migration-0004-counts.js';
import { MigrationOutings0005 } from './migrations/migration-0005-restricted-persons.js';
import { MigrationOutings0006 } from './migrations/migration-0006-contact-ids-taken.js';
import { MigrationOutings0007 } from './migrations/migration-0007-person-visibility.js';
import { MigrationOutings0008 } from './migrations/migration-0008-count-teams-and-breakdown.js';
import { MigrationOutings0009 } from './migrations/migration-0009-alert-outing.js';
import { MigrationOutings0010 } from './migrations/migration-0010-open-alerts-on-duty.js';
import { CountCampaign } from './counts/count.entity.js';
import { Alert } from './alerts/alert.entity.js';
import { Contact } from './contacts/contact.entity.js';
import { Outing } from './outings/outing.entity.js';
import { Unit } from './units/unit.entity.js';

export const entities = [Unit, Outing, Contact, Alert, CountCampaign];

/** The app connects as `street_outings_app`, which is not the tables' owner, so row-level security applies. */
export function appOrmOptions(config: OutingsConfig): Options {
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
 * Provisions (development) and migrates the database as its owner, before the app starts; `upTo`
 * stops after that migration (tests of a later one's data changes).
 */
export function prepareDatabase(config: OutingsConfig, upTo?: string): Promise<void> {
  const migrations = [
    { name: 'outings-0001', class: MigrationOutings0001 },
    { name: 'outings-0002', class: MigrationOutings0002 },
    { name: 'outings-0003', class: MigrationOutings0003 },
    { name: 'outings-0004', class: MigrationOutings0004 },
    { name: 'outings-0005', class: MigrationOutings0005 },
    { name: 'outings-0006', class: MigrationOutings0006 },
    { name: 'outings-0007', class: MigrationOutings0007 },
    { name: 'outings-0008', class: MigrationOutings0008 },
    { name: 'outings-0009', class: MigrationOutings0009 },
    { name: 'outings-0010', class: MigrationOutings0010 },
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
    service: 'outings',
    upTo,
  });
}
