import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '#contracts';
import { ConflictProblem, decodeCursor, encodeCursor, NotFoundProblem, type Page } from '#http';
import { EventLog } from '#messaging';
import { arrayParameters, rolesSetting } from '#persistence';
import { matchCandidatesSql, openCandidates, type CandidateRow } from '../matching/match.queries.js';
import {
  defaultMatchThreshold,
  defaultMatchWeights,
  scoreCandidates,
  type MatchComponents,
} from '../matching/match-score.js';
import { toPersonView } from '../persons/person.dto.js';
import { Person } from '../persons/person.entity.js';
import type { Access } from '../persons/person.policy.js';
import { visibilitySql } from '../persons/person.queries.js';
import { createOnce } from '../idempotency.js';
import { PersonService } from '../persons/person.service.js';
import { PersonVault } from '../vault/person-vault.js';
import {
  offsetCursor,
  type CandidatePairView,
  type CandidateView,
  type LinkInput,
  type NetworkPersonView,
  type ReviewQueueQuery,
  type UnlinkInput,
} from './link.dto.js';

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
    private readonly vault: PersonVault,
  ) {}

  /** Likely duplicates of a record among those the actor may see, best first, with why. */
  async candidates(actor: Actor, personId: string, now = new Date()): Promise<{ items: CandidateView[] }> {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found) throw new NotFoundProblem('person');
      const scored = await this.score(em, found.person, visibilitySql(actor, now));
      // Re-read through the policy: the access basis decides what is logged and shown.
      const items: CandidateView[] = [];
      const reads: Array<{ person: Person; access: Access }> = [];
      for (const { id, match } of scored) {
        const read = await this.persons.findVisible(em, actor, id, now);
        if (!read) continue;
        reads.push(read);
        items.push({
          person: toPersonView(read.person, read.access),
          score: match.score,
          components: match.components,
        });
      }
      await this.persons.recordReads(em, actor, reads);
      return { items };
    });
  }

  /**
   * The matcher: when a record is registered or updated, its candidates across the network are kept
   * for review. Runs in the consumer's transaction with the hub's reach (restricted records excluded).
   */
  async propose(em: EntityManager, personId: string, now: Date): Promise<number> {
    await em.execute(`select set_config('${rolesSetting}', 'hub', true)`);
    const person = await em.findOne(Person, { id: personId });
    // Gone, forgotten, or restricted (then invisible even to the hub's reach): nothing to propose.
    if (!person || person.forgottenAt) return 0;
    await this.persons.open(em, [person]);
    const scored = await this.score(em, person, { sql: 'true', params: [] });
    for (const { id, match } of scored) {
      const [a, b] = [personId, id].sort();
      await em.execute(
        `insert into match_candidate (person_a, person_b, score, components, found_at) values (?, ?, ?, ?, ?)
         on conflict (person_a, person_b) do update set score = excluded.score, components = excluded.components,
           found_at = excluded.found_at`,
        [a, b, match.score, JSON.stringify(match.components), now],
      );
    }
    return scored.length;
  }

  /** Pairs waiting for review that the actor may see both sides of; the hub sees the network's. */
  async reviewQueue(
    actor: Actor,
    query: ReviewQueueQuery,
    now = new Date(),
  ): Promise<Page<CandidatePairView>> {
    return this.persons.inTenant(actor, async (em) => {
      const offset = decodeCursor(query.cursor, offsetCursor)?.offset ?? 0;
      // Row-level security keeps only pairs whose two records the actor may see.
      const pairs = await em.execute<
        Array<{
          person_a: string;
          person_b: string;
          score: string;
          components: MatchComponents;
          found_at: Date;
        }>
      >(
        `select c.* from match_candidate c
         where not exists (select 1 from match_rejection r where r.person_a = c.person_a and r.person_b = c.person_b)
           and not exists (select 1 from person_link la join person_link lb on lb.network_person_id = la.network_person_id
             where la.person_id = c.person_a and lb.person_id = c.person_b and la.unlinked_at is null and lb.unlinked_at is null)
         order by c.found_at desc, c.person_a, c.person_b limit ? offset ?`,
        [query.limit + 1, offset],
      );
      const items: CandidatePairView[] = [];
      const reads: Array<{ person: Person; access: Access }> = [];
      for (const pair of pairs.slice(0, query.limit)) {
        const a = await this.persons.findVisible(em, actor, pair.person_a, now);
        const b = await this.persons.findVisible(em, actor, pair.person_b, now);
        if (!a || !b) continue;
        reads.push(a, b);
        items.push({
          persons: [toPersonView(a.person, a.access), toPersonView(b.person, b.access)],
          score: Number(pair.score),
          components: pair.components,
          foundAt: new Date(pair.found_at).toISOString(),
        });
      }
      await this.persons.recordReads(em, actor, reads);
      const next = pairs.length > query.limit ? encodeCursor({ offset: offset + query.limit }) : null;
      return { items, next };
    });
  }

  /** Scored candidates above the threshold, excluding records already linked to it or rejected with it. */
  private async score(em: EntityManager, person: Person, visibility: { sql: string; params: unknown[] }) {
    const linked = await this.activeMembers(em, person.id);
    const rejected = await em.execute<Array<{ other: string }>>(
      `select case when person_a = ? then person_b else person_a end as other
         from match_rejection where person_a = ? or person_b = ?`,
      [person.id, person.id, person.id],
    );
    const excluded = new Set([person.id, ...linked, ...rejected.map((r) => r.other)]);
    const { sql, params } = matchCandidatesSql(person, { visibility, excludeIds: [...excluded] });
    const rows = await em.execute<CandidateRow[]>(sql, arrayParameters(params));
    // Scored together: a name many visible records bear (Mamadou Diallo) is weaker evidence.
    const candidates = openCandidates(this.vault, rows);
    return scoreCandidates(person, candidates, defaultMatchWeights, rows[0]?.namesakes ?? 0)
      .map(({ candidate, match }) => ({ id: candidate.id, match }))
      .filter(({ match }) => match.score >= defaultMatchThreshold)
      .map(({ id, match }) => ({ id, match: { ...match, score: Math.round(match.score * 1000) / 1000 } }))
      .sort((x, y) => y.match.score - x.match.score);
  }

  /**
   * Links two records the actor can see to one network person (new, or the one either belongs to).
   * With an Idempotency-Key, a repeat answers the network person the first one made (createOnce).
   */
  async link(
    actor: Actor,
    input: LinkInput,
    key?: string,
    now = new Date(),
  ): Promise<{ result: NetworkPersonView; created: boolean }> {
    return this.persons.inTenant(actor, (em) =>
      createOnce(
        em,
        actor,
        key,
        { route: 'POST /people/links', input },
        () => this.linkIn(em, actor, input, now),
        (id) => this.view(em, actor, id, now),
      ),
    );
  }

  private async linkIn(
    em: EntityManager,
    actor: Actor,
    input: LinkInput,
    now: Date,
  ): Promise<NetworkPersonView> {
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
    await this.persons.logAccess(em, actor, 'link', reads as Array<{ person: Person; access: Access }>, now);
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
    return this.view(em, actor, networkPersonId, now);
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
      await this.persons.logAccess(em, actor, 'unlink', [read], now);
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
