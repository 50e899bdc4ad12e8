import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Actor } from '#contracts';
import { tenantSession } from '#persistence';
import { canRead } from '../access.js';
import type { CoverageView } from './coverage.dto.js';

/** Coordination across partners: which areas have a unit on a night, and whose. */
@Injectable()
export class CoverageService {
  constructor(private readonly orm: MikroORM) {}

  /** Who is where on a night: each area with the outings that planned or covered it. */
  async onNight(actor: Actor, night: string): Promise<CoverageView> {
    if (!canRead(actor)) return { night, areas: [] };
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
      const areas: CoverageView['areas'] = [];
      for (const row of rows) {
        let area = areas.at(-1);
        if (area?.code !== row.code) {
          area = { code: row.code, name: row.name, district: row.district, outings: [] };
          areas.push(area);
        }
        area.outings.push({
          id: row.id,
          organisation: row.organisation,
          unitId: row.unit_id,
          status: row.status,
          covered: row.covered,
        });
      }
      return { night, areas };
    });
  }
}
