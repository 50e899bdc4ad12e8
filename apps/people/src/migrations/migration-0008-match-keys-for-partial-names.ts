import { Migration } from '@mikro-orm/migrations';
import { matchingMigrationSql } from '../matching/matching.schema.js';
import type { PersonVault } from '../vault/person-vault.js';
import { rewriteMatchColumns } from './match-columns.js';

/**
 * Blocking keys for records holding one name (a birth year range, the usual area) and the candidate
 * function that reports namesakes itself (docs/adr/0007). The keys are derived from the sealed names,
 * so every record's are computed again here: the migration needs the master key, hence the factory.
 */
export function migrationPeople0008(vault: PersonVault) {
  return class MigrationPeople0008 extends Migration {
    override async up(): Promise<void> {
      for (const statement of matchingMigrationSql()) await this.execute(statement);
      await rewriteMatchColumns((sql, params) => this.execute(sql, params), vault);
    }
  };
}
