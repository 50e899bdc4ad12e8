import { Migration } from '@mikro-orm/migrations';
import { actorHasRole, ownerIs } from '#persistence';
import { appRole } from '../config.js';
import type { Alias } from '../persons/person.entity.js';
import { sealRow, type PersonVault } from '../vault/person-vault.js';

const personVisible = `exists (select 1 from person p where p.id = person_key.person_id)`;
const ownersCoordinator = `exists (select 1 from person p where p.id = person_key.person_id and ${ownerIs('p.owner_organisation')})
  and ${actorHasRole('coordinator')}`;
const clearColumns = ['given_name', 'family_name', 'code_name', 'description', 'aliases', 'birth_date', 'gender'];

type ClearRow = {
  id: string;
  given_name: string | null;
  family_name: string | null;
  code_name: string | null;
  description: string | null;
  aliases: Alias[];
  birth_date: string | null;
  gender: string | null;
};

/**
 * Identity fields and needs sealed with a per-person data key (docs/adr/0009). Existing records are
 * sealed here, then their clear columns dropped: the migration needs the master key, hence the factory.
 */
export function migrationPeople0007(vault: PersonVault) {
  return class MigrationPeople0007 extends Migration {
    override async up(): Promise<void> {
      await this.execute(`
        create table person_key (
          person_id uuid primary key references person (id),
          wrapped_key bytea,
          destroyed_at timestamptz,
          check ((wrapped_key is null) = (destroyed_at is not null))
        )`);
      await this.execute(`alter table person add column sealed text, add column forgotten_at timestamptz,
        add column erasure_basis text, add column erasure_hold text`);

      // The owner seals every row: row-level security is forced on it too, so lift it for this step.
      await this.execute(`alter table person no force row level security`);
      const rows = (await this.execute(
        `select id, ${clearColumns.filter((c) => c !== 'birth_date').join(', ')}, birth_date::text as birth_date from person`,
      )) as unknown as ClearRow[];
      for (const row of rows) {
        const { sealed, wrappedKey } = sealRow(vault, row.id, {
          givenName: row.given_name,
          familyName: row.family_name,
          codeName: row.code_name,
          description: row.description,
          aliases: row.aliases,
          birthDate: row.birth_date,
          gender: row.gender,
        });
        await this.execute(`insert into person_key (person_id, wrapped_key) values (?, decode(?, 'base64'))`, [
          row.id,
          wrappedKey.toString('base64'),
        ]);
        await this.execute(`update person set sealed = ? where id = ?`, [sealed, row.id]);
      }
      await this.execute(`alter table person force row level security`);
      await this.execute(`alter table person alter column sealed set not null,
        ${clearColumns.map((c) => `drop column ${c}`).join(', ')}`);

      await this.execute(`grant select, insert on person_key to ${appRole}`);
      await this.execute(`grant update (wrapped_key, destroyed_at) on person_key to ${appRole}`);
      await this.execute(`alter table person_key enable row level security`);
      await this.execute(`alter table person_key force row level security`);
      // A key is read by whoever may read the person: the person's own policy decides.
      await this.execute(`create policy person_key_read on person_key for select to ${appRole} using (${personVisible})`);
      await this.execute(
        `create policy person_key_write on person_key for insert to ${appRole} with check (${personVisible})`,
      );
      // Only the owner's coordinator destroys a key (forget), and only by removing it.
      await this.execute(`
        create policy person_key_destroy on person_key for update to ${appRole}
        using (${ownersCoordinator}) with check (wrapped_key is null)`);
      // Forgetting a person withdraws the candidate pairs they were in.
      await this.execute(`grant delete on match_candidate to ${appRole}`);
      await this.execute(`
        create policy match_candidate_forget on match_candidate for delete to ${appRole} using (
          exists (select 1 from person p where p.id in (person_a, person_b) and ${ownerIs('p.owner_organisation')})
          and ${actorHasRole('coordinator')})`);
    }
  };
}
