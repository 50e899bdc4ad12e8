import { Migration } from '@mikro-orm/migrations';
import { messagingMigrationSql } from '#messaging';
import { appRole, relayRole } from '../config.js';

/**
 * Events are staged and chained into the log at commit (docs/adr/0010-seal-events-at-commit.md).
 * The messaging SQL brings a log made by an earlier version up to date, keeping its rows and head.
 */
export class MigrationPeople0006 extends Migration {
  override async up(): Promise<void> {
    this.addSql(messagingMigrationSql({ app: appRole, relay: relayRole }));
  }
}
