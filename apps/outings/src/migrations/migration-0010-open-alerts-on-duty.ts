import { Migration } from '@mikro-orm/migrations';
import { appRole } from '../config.js';
import { actorHasAnyRole, tenantSetting } from '#persistence';

/**
 * Issue 4: "open alerts per area are visible to all partners on duty that night". An alert row stays
 * with who took the call, the unit sent and the dispatchers (migration 0003). This function gives
 * the night's alerts not yet closed to the dispatchers and to organisations with an outing that
 * night, without what the caller said about the person: where, how urgent, since when, and whether
 * a unit is on it. The check is in the function, not only in the app.
 */
export class MigrationOutings0010 extends Migration {
  override async up(): Promise<void> {
    const tenant = `current_setting('${tenantSetting}', true)`;
    // Row-level security is forced on the owner too: the function reads as the owner.
    this.addSql(`create policy alert_owner_reads on alert for select to current_user using (true)`);
    this.addSql(`create policy outing_owner_reads on outing for select to current_user using (true)`);
    this.addSql(`
      create function open_alerts_on_duty(on_night date)
        returns table (id uuid, area text, urgency text, received_at timestamptz, status text,
                       assigned_organisation text)
        language sql stable security definer set search_path = pg_catalog, public as $$
        select a.id, a.area, a.urgency, a.received_at, a.status, a.assigned_organisation
          from alert a
         where a.status <> 'closed'
           and ((a.received_at at time zone 'Europe/Rome') - interval '12 hours')::date = on_night
           and (${actorHasAnyRole(['hub', 'lead'])}
                or (${actorHasAnyRole(['operator', 'coordinator'])}
                    and exists (select 1 from outing o
                                 where o.night = on_night and o.organisation = ${tenant}
                                   and o.status <> 'cancelled')))
         order by a.received_at, a.id
      $$`);
    this.addSql(`revoke all on function open_alerts_on_duty(date) from public`);
    this.addSql(`grant execute on function open_alerts_on_duty(date) to ${appRole}`);
  }
}
