import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  UniqueConstraintViolationException,
  type EntityManager,
  type FilterQuery,
} from '@mikro-orm/postgresql';
import { isDeepStrictEqual } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Actor } from '#contracts';
import {
  ConflictProblem,
  decodeCursor,
  encodeCursor,
  fieldErrors,
  NotFoundProblem,
  ProblemException,
  ValidationProblem,
  type FieldError,
  type Page,
  type Problem,
} from '#http';
import { EventLog, type NewEvent } from '#messaging';
import { nativeQuery, tenantSession } from '#persistence';
import { contactAccess, isPartnerStaff, notShared } from '../access.js';
import type { Outing } from '../outings/outing.entity.js';
import { unknownAreaErrors } from '../areas/area.queries.js';
import { nightOf, shiftErrors } from '../outings/outing.rules.js';
import { linkedRecords, personSharing } from '../persons/person-view.queries.js';
import {
  contactBatchItem,
  toContactView,
  type ContactBatchInput,
  type ContactBatchResult,
  type ContactInput,
  type ContactView,
  type ListContactsQuery,
} from './contact.dto.js';
import { Contact } from './contact.entity.js';

export type WrittenContact = { contact: ContactView; created: boolean };

type Access = NonNullable<ReturnType<typeof contactAccess>>;
type NewContact = { id: string; input: ContactInput; field: string };
type Outcome =
  | { id: string; status: 'accepted' | 'duplicate'; contact: ContactView }
  | { id: string; status: 'rejected'; problem: ProblemException };

const cursorSchema = z.object({ id: z.uuid() }).strict();

@Injectable()
export class ContactService {
  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventLog,
  ) {}

  /** One transaction with the actor's tenant settings, so row-level security applies. */
  private inTenant<T>(actor: Actor, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(work);
  }

  /** Records one contact under a client-chosen id; the same contact sent again changes nothing. */
  async record(actor: Actor, id: string, input: ContactInput, now = new Date()): Promise<WrittenContact> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('contact');
    const [outcome] = await this.recordWithRetry(actor, [{ id, input, field: 'body' }], now);
    if (outcome.status === 'rejected') throw outcome.problem;
    return { contact: outcome.contact, created: outcome.status === 'accepted' };
  }

  /**
   * A field app's queue, uploaded when it is back online. Each contact is answered on its own
   * (accepted, duplicate, or rejected with the reason) and a bad one does not lose the others: the
   * field app keeps only the rejected ones to fix. The accepted ones and their events are written in
   * one transaction; sending the same queue again answers duplicate for each and changes nothing.
   */
  async recordBatch(
    actor: Actor,
    input: ContactBatchInput,
    now = new Date(),
  ): Promise<{ items: ContactBatchResult[] }> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('contact');
    const parsed = input.contacts.map((item, i): NewContact | Outcome => {
      const field = `body.contacts.${i}`;
      const result = contactBatchItem.safeParse(item);
      if (!result.success) {
        return {
          id: item.id,
          status: 'rejected',
          problem: new ValidationProblem(fieldErrors(result.error, field)),
        };
      }
      const { id, ...contact } = result.data;
      return { id, input: contact, field };
    });
    const valid = parsed.filter((item): item is NewContact => 'input' in item);
    const recorded = new Map(
      (valid.length === 0 ? [] : await this.recordWithRetry(actor, valid, now)).map((o) => [o.id, o]),
    );
    return {
      items: parsed.map((item): ContactBatchResult => {
        const outcome = 'input' in item ? recorded.get(item.id)! : item;
        return outcome.status === 'rejected'
          ? { id: outcome.id, status: 'rejected', problem: problemOf(outcome.problem) }
          : { id: outcome.id, status: outcome.status };
      }),
    };
  }

  /**
   * Two uploads of the same queue at once (a field app retrying while the first is still running)
   * both find the ids free and one insert fails; the second try finds the first one's contacts.
   */
  private async recordWithRetry(actor: Actor, items: NewContact[], now: Date): Promise<Outcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inTenant(actor, (em) => this.recordAll(em, actor, items, now));
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException) || attempt === 2) throw error;
      }
    }
  }

  private async recordAll(
    em: EntityManager,
    actor: Actor,
    items: NewContact[],
    now: Date,
  ): Promise<Outcome[]> {
    const ids = items.map((item) => item.id);
    const { taken, knownAreas, forgotten, outings } = await recordChecks(em, items);
    // Only a field app sending again finds its ids taken: the stored contacts are loaded then only.
    // Row-level security hides other organisations' contacts, so those ids stay taken but absent.
    const existing = new Map(
      (taken.size === 0
        ? []
        : await em.find(Contact, { id: { $in: ids.filter((id) => taken.has(id)) } })
      ).map((c) => [c.id, c]),
    );
    const outcomes: Outcome[] = [];
    const accepted: Contact[] = [];
    const events: NewEvent[] = [];
    for (const { id, input, field } of items) {
      const stored = existing.get(id);
      if (stored && contactAccess(actor, stored) === 'owner') {
        // An erased person's contact no longer matches what the field app sends again: it stands.
        outcomes.push(
          stored.forgottenAt === null && !sameContact(stored, input)
            ? {
                id,
                status: 'rejected',
                problem: new ConflictProblem(
                  `Contact ${id} was recorded with other details: a correction is a new contact.`,
                ),
              }
            : { id, status: 'duplicate', contact: toContactView(stored) },
        );
        continue;
      }
      // Another organisation's contact: answered as if it did not exist, as a read would be.
      if (stored || taken.has(id)) {
        outcomes.push({ id, status: 'rejected', problem: new NotFoundProblem('contact') });
        continue;
      }
      const outing = outings.get(input.outingId);
      const errors = contactErrors(actor, input, outing, knownAreas, field, now);
      if (errors.length > 0) {
        outcomes.push({ id, status: 'rejected', problem: new ValidationProblem(errors) });
        continue;
      }
      const contact: Contact = {
        id,
        organisation: actor.organisation,
        outingId: input.outingId,
        memberId: input.memberId,
        occurredAt: input.occurredAt,
        area: input.place.area,
        latitude: input.place.latitude,
        longitude: input.place.longitude,
        placeDescription: input.place.description,
        personId: input.personId,
        anonymousDescription: input.anonymousDescription,
        beddedDown: input.beddedDown,
        livingSituation: input.livingSituation,
        services: input.services,
        referrals: input.referrals,
        firstContact: input.firstContact,
        recordedBy: actor.userId,
        recordedAt: now,
        forgottenAt: null,
        // Uploaded after the person was erased: recorded as anonymous, as their other contacts are.
        ...(input.personId !== null && forgotten.has(input.personId) ? erased(now) : {}),
      };
      accepted.push(contact);
      outcomes.push({ id, status: 'accepted', contact: toContactView(contact) });
      events.push(recordedEvent(actor, contact, outing!));
    }
    // Written once and never changed: inserted directly, without the unit of work's change tracking,
    // which cost more than the insert itself on the hot path (bench/README.md).
    if (accepted.length > 0) await em.insertMany(Contact, accepted);
    if (events.length > 0) await this.events.append(em, events, now);
    return outcomes;
  }

  async get(actor: Actor, id: string): Promise<ContactView> {
    return this.inTenant(actor, async (em) => {
      const contact = await em.findOne(Contact, { id });
      const [read] = contact ? await this.readable(em, actor, [contact]) : [];
      if (!read) throw new NotFoundProblem('contact');
      await this.recordReads(em, actor, [read]);
      return toContactView(read.contact);
    });
  }

  /**
   * The contacts the actor may read; each read across an organisation boundary is recorded. For a person, the contacts of
   * every record linked to the same network person, each as its own person's sharing allows.
   */
  async list(actor: Actor, query: ListContactsQuery): Promise<Page<ContactView>> {
    const cursor = decodeCursor(query.cursor, cursorSchema);
    return this.inTenant(actor, async (em) => {
      const where: FilterQuery<Contact> = {
        ...(query.outingId ? { outingId: query.outingId } : {}),
        ...(query.personId ? { personId: { $in: await linkedRecords(em, query.personId) } } : {}),
        ...(cursor ? { id: { $gt: cursor.id } } : {}),
      };
      const found = await em.find(Contact, where, { orderBy: { id: 'asc' }, limit: query.limit + 1 });
      const rows = await this.readable(em, actor, found);
      const page = rows.slice(0, query.limit);
      await this.recordReads(em, actor, page);
      const next = rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.contact.id }) : null;
      return { items: page.map((read) => toContactView(read.contact)), next };
    });
  }

  /**
   * The contacts the actor may read, with the basis. Row-level security already left out the rest;
   * this says it again in the service, from what the people service's events said of each person.
   */
  private async readable(
    em: EntityManager,
    actor: Actor,
    contacts: Contact[],
  ): Promise<Array<{ contact: Contact; access: Access }>> {
    const ids = [...new Set(contacts.map((c) => c.personId).filter((id): id is string => id !== null))];
    const sharing = await personSharing(em, ids);
    return contacts.flatMap((contact) => {
      const access = contactAccess(actor, contact, sharing.get(contact.personId ?? '') ?? notShared);
      return access ? [{ contact, access }] : [];
    });
  }

  /** Reads across an organisation boundary become events, so auditors see who viewed what. */
  private async recordReads(
    em: EntityManager,
    actor: Actor,
    reads: Array<{ contact: Contact; access: Access }>,
  ): Promise<void> {
    const crossing = reads.flatMap(({ contact, access }) =>
      access === 'owner' ? [] : [{ contact, access }],
    );
    if (crossing.length === 0) return;
    const correlationId = uuidv7();
    await this.events.append(
      em,
      crossing.map(({ contact: c, access }) => ({
        subject: 'accanto.outings.contact-viewed.v1' as const,
        organisation: c.organisation,
        actor,
        correlationId,
        subjects: { contactId: c.id, ...(c.personId ? { personId: c.personId } : {}) },
        payload: { contactId: c.id, personId: c.personId, basis: access },
      })),
    );
  }
}

/** What a contact's checks and its event need of its outing. */
type OutingFacts = Pick<Outing, 'id' | 'organisation' | 'unitId' | 'night' | 'status' | 'team'>;

/**
 * What recording these contacts must know, in one round trip: the ids already taken (by any
 * organisation: contact_ids_taken looks past row-level security), which of their areas exist, which
 * of their persons were forgotten, and their outings.
 */
async function recordChecks(em: EntityManager, items: NewContact[]) {
  const areas = items.flatMap((item) => (item.input.place.area === null ? [] : [item.input.place.area]));
  const persons = items.flatMap((item) => (item.input.personId === null ? [] : [item.input.personId]));
  const outingIds = items.map((item) => item.input.outingId);
  const { rows } = await nativeQuery<{
    taken: string[];
    areas: string[];
    forgotten: string[];
    outings: OutingFacts[];
  }>(
    em,
    `select array(select taken from contact_ids_taken($1::uuid[]) as taken) as taken,
            array(select code from area where code = any($2::text[])) as areas,
            array(select person_id from forgotten_person where person_id = any($3::uuid[])) as forgotten,
            coalesce((select json_agg(json_build_object('id', id, 'organisation', organisation,
                        'unitId', unit_id, 'night', night::text, 'status', status, 'team', team))
                        from outing where id = any($4::uuid[])), '[]') as outings`,
    [items.map((item) => item.id), [...new Set(areas)], [...new Set(persons)], [...new Set(outingIds)]],
  );
  const [row] = rows;
  return {
    taken: new Set(row.taken),
    knownAreas: new Set(row.areas),
    forgotten: new Set(row.forgotten),
    outings: new Map(row.outings.map((outing) => [outing.id, outing])),
  };
}

function contactErrors(
  actor: Actor,
  input: ContactInput,
  outing: OutingFacts | undefined,
  knownAreas: ReadonlySet<string>,
  field: string,
  now: Date,
): FieldError[] {
  const { area } = input.place;
  const errors = unknownAreaErrors(
    area === null || knownAreas.has(area) ? [] : [area],
    `${field}.place.area`,
  );
  if (!outing || outing.organisation !== actor.organisation) {
    return [
      ...errors,
      { field: `${field}.outingId`, rule: 'unknown_outing', message: 'not an outing of your organisation' },
    ];
  }
  if (outing.status !== 'under-way' && outing.status !== 'completed') {
    errors.push({
      field: `${field}.outingId`,
      rule: 'outing_not_out',
      message: `the outing is ${outing.status}`,
    });
  }
  if (!outing.team.some((member) => member.memberId === input.memberId)) {
    errors.push({
      field: `${field}.memberId`,
      rule: 'not_in_team',
      message: 'not a member of the outing’s team',
    });
  }
  const future = shiftErrors({ startedAt: input.occurredAt }, now, `${field}.occurredAt`);
  if (future.length > 0) errors.push(...future);
  else if (nightOf(input.occurredAt) !== outing.night) {
    errors.push({
      field: `${field}.occurredAt`,
      rule: 'other_night',
      message: `not on the night of ${outing.night}`,
    });
  }
  return errors;
}

/** What forget_person (migration 0002) leaves of a contact. */
function erased(at: Date) {
  return {
    personId: null,
    anonymousDescription: null,
    placeDescription: null,
    latitude: null,
    longitude: null,
    forgottenAt: at,
  };
}

function recordedEvent(
  actor: Actor,
  c: Contact,
  outing: OutingFacts,
): NewEvent<'accanto.outings.contact-recorded.v1'> {
  return {
    subject: 'accanto.outings.contact-recorded.v1',
    organisation: c.organisation,
    actor,
    correlationId: uuidv7(),
    occurredAt: c.occurredAt,
    subjects: { contactId: c.id, outingId: c.outingId, ...(c.personId ? { personId: c.personId } : {}) },
    payload: {
      contactId: c.id,
      outingId: c.outingId,
      unitId: outing.unitId,
      night: outing.night,
      personId: c.personId,
      area: c.area,
      beddedDown: c.beddedDown,
      livingSituation: c.livingSituation,
      services: c.services,
      referrals: c.referrals,
      firstContact: c.firstContact,
    },
  };
}

/** A rejected contact's reason, in the problem vocabulary a whole request's would use. */
function problemOf(problem: ProblemException): Problem {
  return problem.getResponse() as Problem;
}

function sameContact(c: Contact, input: ContactInput): boolean {
  const stored = {
    outingId: c.outingId,
    memberId: c.memberId,
    occurredAt: new Date(c.occurredAt).getTime(),
    place: { area: c.area, latitude: c.latitude, longitude: c.longitude, description: c.placeDescription },
    personId: c.personId,
    anonymousDescription: c.anonymousDescription,
    beddedDown: c.beddedDown,
    livingSituation: c.livingSituation,
    services: c.services,
    referrals: c.referrals,
    firstContact: c.firstContact,
  };
  // Deep equality ignores key order: jsonb gives back object keys in its own order.
  return isDeepStrictEqual(stored, { ...input, occurredAt: input.occurredAt.getTime() });
}
