import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Actor } from '#contracts';
import { tenantSession } from '#persistence';
import { canRead, isDispatcher, isPartnerStaff } from '../access.js';
import type { CoverageView, OpenAlert } from './coverage.dto.js';

type Area = CoverageView['areas'][number];

/** Coordination across partners: which areas have a unit on a night, whose, and where help is awaited. */
@Injectable()
export class CoverageService {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Who is where on a night: each area with the outings that planned or covered it and, for those on
   * duty that night, the alerts still open there (the database function decides who is on duty).
   */
  async onNight(actor: Actor, night: string): Promise<CoverageView> {
    if (!canRead(actor)) return { night, onDuty: false, areas: [], openAlertsElsewhere: [] };
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(async (em) => {
      const rows = await em.execute<
        Array<{
          code: string;
          name: string;
          district: number;
          id: string;
          organisation: string;
          unit_id: string;
          status: string;
          covered: boolean;
        }>
      >(
        `select a.code, a.name, a.district, o.id, o.organisation, o.unit_id, o.status,
                a.code = any(o.areas_covered) as covered
           from outing o join area a on a.code = any(o.areas_planned) or a.code = any(o.areas_covered)
          where o.night = ?::date and o.status <> 'cancelled'
          order by a.district, a.code, o.id`,
        [night],
      );
      const onDuty =
        isDispatcher(actor) ||
        (isPartnerStaff(actor) && rows.some((row) => row.organisation === actor.organisation));
      const alerts = onDuty
        ? await em.execute<
            Array<{
              id: string;
              area: string | null;
              name: string | null;
              district: number | null;
              urgency: string;
              received_at: Date;
              status: string;
              assigned_organisation: string | null;
            }>
          >(
            `select o.*, a.name, a.district from open_alerts_on_duty(?::date) o left join area a on a.code = o.area`,
            [night],
          )
        : [];

      const areas = new Map<string, Area>();
      const areaOf = (code: string, name: string, district: number) => {
        let area = areas.get(code);
        if (!area) {
          area = { code, name, district, outings: [], openAlerts: [] };
          areas.set(code, area);
        }
        return area;
      };
      for (const row of rows) {
        areaOf(row.code, row.name, row.district).outings.push({
          id: row.id,
          organisation: row.organisation,
          unitId: row.unit_id,
          status: row.status,
          covered: row.covered,
        });
      }
      const openAlertsElsewhere: OpenAlert[] = [];
      for (const alert of alerts) {
        const view: OpenAlert = {
          id: alert.id,
          urgency: alert.urgency,
          receivedAt: new Date(alert.received_at).toISOString(),
          status: alert.status,
          assignedOrganisation: alert.assigned_organisation,
        };
        if (alert.area === null) openAlertsElsewhere.push(view);
        else areaOf(alert.area, alert.name!, alert.district!).openAlerts.push(view);
      }
      // An area with an alert and no unit planned is what coordination most needs to see.
      const ordered = [...areas.values()].sort(
        (a, b) => a.district - b.district || a.code.localeCompare(b.code),
      );
      return { night, onDuty, areas: ordered, openAlertsElsewhere };
    });
  }
}
