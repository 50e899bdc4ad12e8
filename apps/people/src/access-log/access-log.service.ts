import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Actor } from '#contracts';
import { decodeCursor, encodeCursor, NotFoundProblem, pageQuery, type Page } from '#http';
import { PersonService } from '../persons/person.service.js';
import { canWrite } from '../persons/person.policy.js';
import type { AccessAction } from './access-log.js';

export type AccessLogView = {
  id: string;
  personId: string;
  ownerOrganisation: string;
  action: AccessAction;
  basis: string;
  consentId: string | null;
  actor: { userId: string; organisation: string; roles: string[] };
  at: string;
};

export const accessLogQuery = z
  .object({
    ...pageQuery,
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    organisation: z.string().max(63).optional(),
  })
  .strict();
export type AccessLogQuery = z.output<typeof accessLogQuery>;

const cursorSchema = z.object({ id: z.uuid() }).strict();

type Row = {
  id: string;
  person_id: string;
  owner_organisation: string;
  action: AccessAction;
  basis: string;
  consent_id: string | null;
  actor_user: string;
  actor_organisation: string;
  actor_roles: string[];
  at: Date;
};

/** Reading the access log: the owner's coordinators for their persons, auditors across the network. */
@Injectable()
export class AccessLogService {
  constructor(private readonly persons: PersonService) {}

  /** For the owner's coordinators: the whole access history of one of their persons. */
  async forPerson(
    actor: Actor,
    personId: string,
    query: AccessLogQuery,
    now = new Date(),
  ): Promise<Page<AccessLogView>> {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
      return this.page(em, ['person_id = ?'], [personId], query);
    });
  }

  /** For auditors: the network's access history, ids and roles only (no personal data is in it). */
  network(actor: Actor, query: AccessLogQuery): Promise<Page<AccessLogView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.organisation) {
      where.push('(owner_organisation = ? or actor_organisation = ?)');
      params.push(query.organisation, query.organisation);
    }
    return this.persons.inTenant(actor, (em) => this.page(em, where, params, query));
  }

  private async page(em: EntityManager, where: string[], params: unknown[], query: AccessLogQuery) {
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const filters: Array<[string, unknown]> = [];
    if (query.from) filters.push(['at >= ?', query.from]);
    if (query.to) filters.push(['at < ?', query.to]);
    if (cursor) filters.push(['id > ?', cursor.id]);
    const conditions = [...where, ...filters.map(([sql]) => sql)];
    const values = [...params, ...filters.map(([, value]) => value)];
    const rows = await em.execute<Row[]>(
      `select * from access_log ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
       order by id limit ?`,
      [...values, query.limit + 1],
    );
    const items = rows.slice(0, query.limit).map(toView);
    const next = rows.length > query.limit ? encodeCursor({ id: items.at(-1)!.id }) : null;
    return { items, next };
  }
}

function toView(row: Row): AccessLogView {
  return {
    id: row.id,
    personId: row.person_id,
    ownerOrganisation: row.owner_organisation,
    action: row.action,
    basis: row.basis,
    consentId: row.consent_id,
    actor: { userId: row.actor_user, organisation: row.actor_organisation, roles: row.actor_roles },
    at: new Date(row.at).toISOString(),
  };
}
