import { Migration } from '@mikro-orm/migrations';
import type { PersonVault } from '../vault/person-vault.js';
import { rewriteMatchColumns } from './match-columns.js';

/**
 * The phonetic key hears two French spellings (a mute final e, "ou" before a vowel: match-names.ts),
 * so every record's blocking keys are computed again from its sealed names (docs/adr/0007).
 */
export function migrationPeople0011(vault: PersonVault) {
  return class MigrationPeople0011 extends Migration {
    override async up(): Promise<void> {
      await rewriteMatchColumns((sql, params) => this.execute(sql, params), vault);
    }
  };
}
