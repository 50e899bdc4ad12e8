import { Migration } from '@mikro-orm/migrations';
import { actorHasAnyRole, actorHasRole, ownerIs, tenantSetting } from '#persistence';
import { appRole } from '../config.js';

const partnerStaff = actorHasAnyRole(['operator', 'coordinator']);
const dispatcher = `(${actorHasRole('hub')} or ${actorHasRole('lead')})`;
const receiver = `(${partnerStaff} or ${dispatcher})`;
const assignedToActor = `(assigned_organisation = current_setting('${tenantSetting}', true) and ${partnerStaff})`;

/**
 * Alerts (segnalazioni) from the public or the help line: who took the call, the unit sent, how it
 * ended. Repeats alert.policy in access.ts: the receiving organisation, the assigned unit's
 * organisation, the hub and the lead body see and act on an alert; nobody else sees it.
 */
export class MigrationOutings0003 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table alert (
        id uuid primary key,
        organisation text not null,
        version integer not null default 1,
        received_at timestamptz not null,
        source text not null,
        urgency text not null,
        area text references area (code),
        latitude double precision,
        longitude double precision,
        place_description text,
        description text not null,
        status text not null check (status in ('open', 'assigned', 'closed')),
        assigned_unit_id uuid references unit (id),
        assigned_organisation text,
        assigned_at timestamptz,
        outcome text,
        closed_at timestamptz,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        check ((latitude is null) = (longitude is null)),
        check (area is not null or latitude is not null)
      )`);
    this.addSql(`create index alert_status_idx on alert (status, id)`);
    this.addSql(`create index alert_assigned_idx on alert (assigned_organisation, id)`);

    this.addSql(`grant select, insert, update on alert to ${appRole}`);
    this.addSql(`alter table alert enable row level security`);
    this.addSql(`alter table alert force row level security`);
    this.addSql(`
      create policy alert_read on alert for select to ${appRole}
      using ((${ownerIs('organisation')} and ${receiver}) or ${assignedToActor} or ${dispatcher})`);
    this.addSql(`
      create policy alert_write on alert for insert to ${appRole}
      with check (${ownerIs('organisation')} and ${receiver})`);
    this.addSql(`
      create policy alert_update on alert for update to ${appRole}
      using ((${ownerIs('organisation')} and ${receiver}) or ${assignedToActor} or ${dispatcher})
      with check ((${ownerIs('organisation')} and ${receiver}) or ${assignedToActor} or ${dispatcher})`);
  }
}
