import { Migration } from '@mikro-orm/migrations';

/** An alert may go to one of the night's outings, not only to a unit (issue 4: "a unit or outing"). */
export class MigrationOutings0009 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table alert add column assigned_outing_id uuid references outing (id)`);
  }
}
