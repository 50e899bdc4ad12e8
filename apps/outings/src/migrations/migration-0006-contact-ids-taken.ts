import { Migration } from '@mikro-orm/migrations';
import { appRole } from '../config.js';

/**
 * Which of a batch's contact ids are already taken, whoever owns them. Row-level security hides
 * other organisations' contacts from the app, so without this an id taken by another partner is
 * found only when the insert fails, and that failure would abort the accepted contacts with it.
 * It answers ids only, which the single PUT already reveals (404 rather than 201).
 */
export class MigrationOutings0006 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function contact_ids_taken(ids uuid[]) returns setof uuid
        language sql stable security definer set search_path = pg_catalog, public as $$
        select id from contact where id = any(ids)
      $$`);
    this.addSql(`revoke all on function contact_ids_taken(uuid[]) from public`);
    this.addSql(`grant execute on function contact_ids_taken(uuid[]) to ${appRole}`);
  }
}
