import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Actor } from '#contracts';
import { decodeCursor, encodeCursor, NotFoundProblem, type Page } from '#http';
import { tenantSession } from '#persistence';
import { canRead } from '../access.js';
import type { AreaView, ListAreasQuery } from './area.dto.js';

const cursorSchema = z.object({ district: z.number().int(), code: z.string().max(64) }).strict();

/** The city's areas: reference data, the same for every organisation, read straight to views. */
@Injectable()
export class AreaService {
  constructor(private readonly orm: MikroORM) {}

  async get(actor: Actor, code: string): Promise<AreaView> {
    if (!canRead(actor)) throw new NotFoundProblem('area');
    const [area] = await this.query(actor, 'select code, name, district, shape from area where code = ?', [
      code,
    ]);
    if (!area) throw new NotFoundProblem('area');
    return area;
  }

  /** Grouped by district (Municipio), then by code. */
  async list(actor: Actor, query: ListAreasQuery): Promise<Page<AreaView>> {
    if (!canRead(actor)) return { items: [], next: null };
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const rows = await this.query(
      actor,
      `select code, name, district, shape from area
        where (?::int is null or district = ?::int) and (?::int is null or (district, code) > (?::int, ?::text))
        order by district, code limit ?`,
      [
        query.district ?? null,
        query.district ?? null,
        cursor?.district ?? null,
        cursor?.district ?? null,
        cursor?.code ?? null,
        query.limit + 1,
      ],
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const next =
      rows.length > query.limit && last ? encodeCursor({ district: last.district, code: last.code }) : null;
    return { items: page, next };
  }

  private query(actor: Actor, sql: string, params: unknown[]): Promise<AreaView[]> {
    return this.orm.em
      .fork({ session: tenantSession(actor) })
      .transactional((em) => em.execute<AreaView[]>(sql, params));
  }
}
