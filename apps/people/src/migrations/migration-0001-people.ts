import { Migration } from '@mikro-orm/migrations';
import { messagingMigrationSql } from '#messaging';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole, relayRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
const activeConsentCovers = (consent: string) => `${consent}.revoked_at is null
  and ${consent}.given_at <= now()
  and (${consent}.expires_at is null or ${consent}.expires_at > now())
  and (${consent}.scope = 'network' or current_setting('${tenantSetting}', true) = any(${consent}.organisations))`;

/**
 * The first slice of the registry. Row-level security repeats person.policy.ts at the database, so a
 * query that forgets the service check still sees only what the actor may see, and a transaction
 * with no tenant set sees nothing. See docs/adr/0003-tenancy-on-keycloak-organisations.md.
 */
export class MigrationPeople0001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists pg_trgm`);
    this.addSql(`
      create table person (
        id uuid primary key,
        owner_organisation text not null,
        version integer not null default 1,
        given_name text,
        family_name text,
        name_quality text not null,
        code_name text,
        description text,
        aliases jsonb not null default '[]',
        birth_date date,
        birth_date_quality text not null,
        estimated_age integer,
        estimated_age_on date,
        gender text,
        nationality text,
        languages jsonb not null default '[]',
        usual_area text,
        search_text text not null,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index person_owner_idx on person (owner_organisation, id)`);
    this.addSql(`create index person_search_text_trgm on person using gin (search_text gin_trgm_ops)`);
    this.addSql(`
      create table consent (
        id uuid primary key,
        person_id uuid not null references person (id),
        owner_organisation text not null,
        scope text not null check (scope in ('organisations', 'network')),
        organisations text[] not null default '{}',
        purpose text not null,
        lawful_basis text not null,
        evidence jsonb not null,
        given_at timestamptz not null,
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        revocation_reason text,
        recorded_by text not null,
        recorded_at timestamptz not null
      )`);
    this.addSql(`create index consent_person_idx on consent (person_id)`);
    this.addSql(`create index consent_organisations_idx on consent using gin (organisations)`);
    this.addSql(`
      create table idempotency_key (
        organisation text not null,
        key text not null,
        request_hash text not null,
        status integer not null,
        body jsonb not null,
        created_at timestamptz not null default now(),
        primary key (organisation, key)
      )`);

    this.addSql(messagingMigrationSql({ app: appRole, relay: relayRole }));

    this.addSql(`grant usage on schema public to ${appRole}, ${relayRole}`);
    this.addSql(`grant select, insert, update on person, consent to ${appRole}`);
    this.addSql(`grant select, insert, update on idempotency_key to ${appRole}`);

    this.addSql(`alter table person enable row level security`);
    this.addSql(`alter table person force row level security`);
    this.addSql(`
      create policy person_read on person for select to ${appRole} using (
        (${ownerIs('owner_organisation')} and ${partnerStaff})
        or ${actorHasRole('hub')}
        or (${partnerStaff} and exists (select 1 from consent c where c.person_id = person.id and ${activeConsentCovers('c')}))
      )`);
    this.addSql(`
      create policy person_write on person for insert to ${appRole}
      with check (${ownerIs('owner_organisation')} and ${partnerStaff})`);
    this.addSql(`
      create policy person_update on person for update to ${appRole}
      using (${ownerIs('owner_organisation')} and ${partnerStaff})
      with check (${ownerIs('owner_organisation')} and ${partnerStaff})`);

    this.addSql(`alter table consent enable row level security`);
    this.addSql(`alter table consent force row level security`);
    this.addSql(`
      create policy consent_read on consent for select to ${appRole} using (
        (${ownerIs('owner_organisation')} and ${partnerStaff})
        or ${actorHasRole('hub')}
        or (${partnerStaff} and ${activeConsentCovers('consent')})
      )`);
    this.addSql(`
      create policy consent_write on consent for insert to ${appRole}
      with check (${ownerIs('owner_organisation')} and ${partnerStaff})`);
    this.addSql(`
      create policy consent_update on consent for update to ${appRole}
      using (${ownerIs('owner_organisation')} and ${partnerStaff})
      with check (${ownerIs('owner_organisation')} and ${partnerStaff})`);

    this.addSql(`alter table idempotency_key enable row level security`);
    this.addSql(`alter table idempotency_key force row level security`);
    this.addSql(`
      create policy idempotency_key_own on idempotency_key for all to ${appRole}
      using (${ownerIs('organisation')}) with check (${ownerIs('organisation')})`);
  }
}
