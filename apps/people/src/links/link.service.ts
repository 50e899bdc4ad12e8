import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '#contracts';
import { ConflictProblem, NotFoundProblem } from '#http';
import { EventLog } from '#messaging';
import { arrayParameters } from '#persistence';
import { candidateOf, matchCandidatesSql, type CandidateRow } from '../matching/match.queries.js';
import { defaultMatchThreshold, matchScore } from '../matching/match-score.js';
import { toPersonView } from '../persons/person.dto.js';
import type { Person } from '../persons/person.entity.js';
import type { Access } from '../persons/person.policy.js';
import { visibilitySql } from '../persons/person.queries.js';
import { PersonService } from '../persons/person.service.js';
import type { CandidateView, LinkInput, NetworkPersonView, UnlinkInput } from './link.dto.js';

type LinkRow = {
  network_person_id: string;
  person_id: string;
  linked_at: Date;
  linked_by_organisation: string;
  reason: string | null;
  unlinked_at: Date | null;
  unlinked_by_organisation: string | null;
  unlink_reason: string | null;
};

/**
 * Linking the same human across partners (Open Path): records stay their owners' own and are linked to
 * one network person. Everything here runs in the actor's tenant, so candidates and links show only
 * among records the actor may already see: nothing tells a partner a hidden record resembles theirs.
 */
@Injectable()
export class LinkService {
  constructor(
    private readonly persons: PersonService,
    private readonly events: EventLog,
  ) {}

  /** Likely duplicates of a record among those the actor may see, best first, with why. */
  async candidates(actor: Actor, personId: string, now = new Date()): Promise<{ items: CandidateView[] }> {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found) throw new NotFoundProblem('person');
      const linked = await this.activeMembers(em, personId);
      const rejected = await em.execute<Array<{ other: string }>>(
        `select case when person_a = ? then person_b else person_a end as other
           from match_rejection where person_a = ? or person_b = ?`,
        [personId, personId, personId],
      );
      const excluded = new Set([personId, ...linked, ...rejected.map((r) => r.other)]);
      const { sql, params } = matchCandidatesSql(found.person, {
        visibility: visibilitySql(actor, now),
        excludeIds: [...excluded],
      });
      const rows = await em.execute<Array<CandidateRow & { id: string }>>(sql, arrayParameters(params));
      const scored = rows
        .map((row) => ({ row, match: matchScore(found.person, candidateOf(row)) }))
        .filter(({ match }) => match.score >= defaultMatchThreshold)
        .sort((a, b) => b.match.score - a.match.score);
      // Re-read through the policy: the access basis decides what is logged and shown.
      const items: CandidateView[] = [];
      const reads: Array<{ person: Person; access: Access }> = [];
      for (const { row, match } of scored) {
        const read = await this.persons.findVisible(em, actor, row.id, now);
        if (!read) continue;
        reads.push(read);
        items.push({
          person: toPersonView(read.person, read.access),
          score: Math.round(match.score * 1000) / 1000,
          components: match.components,
        });
      }
      await this.persons.recordReads(em, actor, reads);
      return { items };
    });
  }

  /** Links two records the actor can see to one network person (new, or the one either belongs to). */
  async link(actor: Actor, input: LinkInput, now = new Date()): Promise<NetworkPersonView> {
    return this.persons.inTenant(actor, async (em) => {
      const reads = await Promise.all(
        input.personIds.map((id) => this.persons.findVisible(em, actor, id, now)),
      );
      if (reads.some((r) => r === null)) throw new NotFoundProblem('person');
      const networks = await em.execute<Array<{ person_id: string; network_person_id: string }>>(
        'select person_id, network_person_id from person_link where person_id = any(?::uuid[]) and unlinked_at is null',
        arrayParameters([input.personIds]),
      );
      const distinct = [...new Set(networks.map((n) => n.network_person_id))];
      if (distinct.length > 1) {
        throw new ConflictProblem(
          'Both records already belong to different network persons: unlink one first.',
        );
      }
      if (networks.length === 2) throw new ConflictProblem('These records are already linked.');
      const networkPersonId = distinct[0] ?? uuidv7();
      const joining = input.personIds.filter((id) => !networks.some((n) => n.person_id === id));
      for (const personId of joining) {
        await em.execute(
          `insert into person_link (id, network_person_id, person_id, linked_by, linked_by_organisation, linked_at, reason)
           values (?, ?, ?, ?, ?, ?, ?)`,
          [uuidv7(), networkPersonId, personId, actor.userId, actor.organisation, now, input.reason],
        );
      }
      await this.events.append(em, [
        {
          subject: 'accanto.people.person-linked.v1',
          organisation: actor.organisation,
          actor,
          correlationId: uuidv7(),
          subjects: { networkPersonId },
          payload: { networkPersonId, personIds: input.personIds },
        },
      ]);
      await this.persons.logAccess(
        em,
        actor,
        'link',
        reads as Array<{ person: Person; access: Access }>,
        now,
      );
      return this.view(em, actor, networkPersonId, now);
    });
  }

  /** Takes a record out of its network person; the pairs it formed are not proposed again. */
  async unlink(actor: Actor, networkPersonId: string, input: UnlinkInput, now = new Date()) {
    return this.persons.inTenant(actor, async (em) => {
      const read = await this.persons.findVisible(em, actor, input.personId, now);
      if (!read) throw new NotFoundProblem('person');
      const updated = await em.execute<Array<{ id: string }>>(
        `update person_link set unlinked_by = ?, unlinked_by_organisation = ?, unlinked_at = ?, unlink_reason = ?
         where network_person_id = ? and person_id = ? and unlinked_at is null returning id`,
        [actor.userId, actor.organisation, now, input.reason, networkPersonId, input.personId],
      );
      if (updated.length === 0) throw new NotFoundProblem('link');
      for (const other of await this.membersOf(em, networkPersonId)) {
        const [a, b] = [input.personId, other].sort();
        await em.execute(
          `insert into match_rejection (person_a, person_b, rejected_by, rejected_by_organisation, rejected_at, reason)
           values (?, ?, ?, ?, ?, ?) on conflict do nothing`,
          [a, b, actor.userId, actor.organisation, now, input.reason],
        );
      }
      await this.events.append(em, [
        {
          subject: 'accanto.people.person-unlinked.v1',
          organisation: actor.organisation,
          actor,
          correlationId: uuidv7(),
          subjects: { networkPersonId, personId: input.personId },
          payload: { networkPersonId, personId: input.personId },
        },
      ]);
      await this.persons.logAccess(em, actor, 'unlink', [read], now);
      return this.view(em, actor, networkPersonId, now);
    });
  }

  /** The person's combined history, as far as the actor may see it. */
  async networkPerson(actor: Actor, networkPersonId: string, now = new Date()): Promise<NetworkPersonView> {
    return this.persons.inTenant(actor, async (em) => {
      const view = await this.view(em, actor, networkPersonId, now);
      if (view.history.length === 0) throw new NotFoundProblem('network person');
      const reads = await Promise.all(
        view.records.map((r) => this.persons.findVisible(em, actor, r.id, now)),
      );
      await this.persons.recordReads(
        em,
        actor,
        reads.filter((r): r is { person: Person; access: Access } => r !== null),
      );
      return view;
    });
  }

  private async view(
    em: EntityManager,
    actor: Actor,
    networkPersonId: string,
    now: Date,
  ): Promise<NetworkPersonView> {
    // Row-level security shows only the link rows of records the actor may see.
    const rows = await em.execute<LinkRow[]>(
      'select * from person_link where network_person_id = ? order by linked_at, id',
      [networkPersonId],
    );
    const current = [...new Set(rows.filter((r) => r.unlinked_at === null).map((r) => r.person_id))];
    const reads = await Promise.all(current.map((id) => this.persons.findVisible(em, actor, id, now)));
    return {
      id: networkPersonId,
      records: reads
        .filter((r): r is { person: Person; access: Access } => r !== null)
        .map((r) => toPersonView(r.person, r.access)),
      history: rows.map((r) => ({
        personId: r.person_id,
        linkedAt: new Date(r.linked_at).toISOString(),
        linkedByOrganisation: r.linked_by_organisation,
        reason: r.reason,
        unlinkedAt: r.unlinked_at ? new Date(r.unlinked_at).toISOString() : null,
        unlinkedByOrganisation: r.unlinked_by_organisation,
        unlinkReason: r.unlink_reason,
      })),
    };
  }

  private async activeMembers(em: EntityManager, personId: string): Promise<string[]> {
    const rows = await em.execute<Array<{ person_id: string }>>(
      `select l.person_id from person_link l join person_link mine on mine.network_person_id = l.network_person_id
       where mine.person_id = ? and mine.unlinked_at is null and l.unlinked_at is null`,
      [personId],
    );
    return rows.map((r) => r.person_id);
  }

  private async membersOf(em: EntityManager, networkPersonId: string): Promise<string[]> {
    const rows = await em.execute<Array<{ person_id: string }>>(
      'select person_id from person_link where network_person_id = ? and unlinked_at is null',
      [networkPersonId],
    );
    return rows.map((r) => r.person_id);
  }
}
