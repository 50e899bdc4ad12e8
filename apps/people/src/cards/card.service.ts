import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Actor } from '#contracts';
import { decodeCursor, encodeCursor, NotFoundProblem, type Page } from '#http';
import { nativeQuery } from '#persistence';
import { recordAccess } from '../access-log/access-log.js';
import { ageBandOfYear, normaliseForSearch } from '../persons/person.dto.js';
import { isPartnerStaff, type Access } from '../persons/person.policy.js';
import { PersonService } from '../persons/person.service.js';
import type { CardView, SearchCardsQuery } from './card.dto.js';

type CardRow = {
  person_id: string;
  owner_organisation: string;
  card_aliases: string[];
  birth_year: number | null;
  usual_area: string | null;
  basis: Access['basis'];
  consent_id: string | null;
  whole_record: boolean;
};

const cursorSchema = z.object({ id: z.uuid() }).strict();

/**
 * Network cards (docs/adr/0016-network-cards.md). Row-level security on `person` guards the whole
 * record; the card has rules of its own (a consent may share only the card), which the database
 * function `person_cards` applies, in the caller's tenant. Every card read is in the access log.
 */
@Injectable()
export class CardService {
  constructor(private readonly persons: PersonService) {}

  async get(actor: Actor, personId: string, now = new Date()): Promise<CardView> {
    const [card] = await this.read(
      actor,
      { ids: [personId], alias: null, area: null, after: null, limit: 1 },
      now,
    );
    if (!card) throw new NotFoundProblem('person');
    return card;
  }

  /** Cards the caller may see, by alias and area; a restricted person's shows only to its owner. */
  async search(actor: Actor, query: SearchCardsQuery, now = new Date()): Promise<Page<CardView>> {
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const alias = query.alias === undefined ? null : normaliseForSearch(query.alias);
    const cards = await this.read(
      actor,
      { ids: null, alias, area: query.usualArea ?? null, after: cursor?.id ?? null, limit: query.limit + 1 },
      now,
    );
    const items = cards.slice(0, query.limit);
    const next = cards.length > query.limit ? encodeCursor({ id: items.at(-1)!.personId }) : null;
    return { items, next };
  }

  private async read(
    actor: Actor,
    filter: {
      ids: string[] | null;
      alias: string | null;
      area: string | null;
      after: string | null;
      limit: number;
    },
    now: Date,
  ): Promise<CardView[]> {
    // Cards are for the staff who meet people and for the hub; the lead and auditors see aggregates.
    if (!isPartnerStaff(actor) && !actor.roles.includes('hub')) return [];
    return this.persons.inTenant(actor, async (em: EntityManager) => {
      const { rows } = await nativeQuery<CardRow>(
        em,
        'select * from person_cards($1::uuid[], $2, $3, $4::uuid, $5)',
        [filter.ids, filter.alias, filter.area, filter.after, filter.limit],
      );
      await recordAccess(
        em,
        actor,
        rows.map((row) => ({
          personId: row.person_id,
          ownerOrganisation: row.owner_organisation,
          action: 'card',
          basis: row.basis,
          consentId: row.consent_id,
        })),
        now,
      );
      return rows.map((row) => ({
        personId: row.person_id,
        ownerOrganisation: row.owner_organisation,
        aliases: row.card_aliases,
        ageBand: ageBandOfYear(row.birth_year, now),
        usualArea: row.usual_area,
        access: row.basis,
        wholeRecord: row.whole_record,
      }));
    });
  }
}
