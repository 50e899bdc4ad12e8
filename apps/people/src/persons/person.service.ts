import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  OptimisticLockError,
  UniqueConstraintViolationException,
  type EntityManager,
} from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '#contracts';
import {
  decodeCursor,
  encodeCursor,
  NotFoundProblem,
  PreconditionFailedProblem,
  PreconditionRequiredProblem,
  ProblemException,
  type Page,
} from '#http';
import { EventLog } from '#messaging';
import { nativeQuery, tenantSession } from '#persistence';
import { z } from 'zod';
import { recordAccess, type AccessAction } from '../access-log/access-log.js';
import { createOnce } from '../idempotency.js';
import { Consent } from '../consents/consent.entity.js';
import { matchColumnsOf } from '../matching/matching.schema.js';
import {
  ageBandOf,
  normaliseForSearch,
  searchTextOf,
  cardAliasesOf,
  toPersonView,
  type ListPersonsQuery,
  type PersonInput,
  type PersonView,
  type RestrictionInput,
} from './person.dto.js';
import { Person, sealedFields, type SealedData } from './person.entity.js';
import { canChangeRestriction, canWrite, isPartnerStaff, readAccess, type Access } from './person.policy.js';
import { visiblePersonsSql } from './person.queries.js';
import { PersonVault } from '../vault/person-vault.js';

export type Written = { person: PersonView; created: boolean };

/** A forgotten person, to its owner: the record existed, its data no longer does (docs/adr/0009). */
export class GoneProblem extends ProblemException {
  constructor() {
    super(410, 'forgotten', 'Gone', 'This person was forgotten: their data is erased.');
  }
}

@Injectable()
export class PersonService {
  // Data keys of the persons opened in a transaction's EntityManager: gone with its entities.
  private readonly keys = new WeakMap<Person, Buffer>();

  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventLog,
    private readonly vault: PersonVault,
  ) {}

  /** Runs a use case in one transaction with the actor's tenant settings, so row-level security applies. */
  inTenant<T>(actor: Actor, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(work);
  }

  /**
   * Registers a person under a client-chosen id (PUT, idempotent for offline field apps).
   * Repeating the same registration answers with the stored record and changes nothing.
   */
  register(actor: Actor, id: string, input: PersonInput, now = new Date()): Promise<Written> {
    return this.registering(actor, (em) => this.registerIn(em, actor, id, input, now));
  }

  /** POST, with an Idempotency-Key when the client sends one (createOnce). */
  registerOnce(
    actor: Actor,
    key: string | undefined,
    input: PersonInput,
    now = new Date(),
  ): Promise<Written> {
    return this.registering(actor, async (em) => {
      const { result, created } = await createOnce(
        em,
        actor,
        key,
        { route: 'POST /people/persons', input },
        async () => (await this.registerIn(em, actor, undefined, input, now)).person,
        async (id) => {
          const found = await this.findVisible(em, actor, id, now);
          if (!found) throw new NotFoundProblem('person');
          return toPersonView(found.person, found.access);
        },
      );
      return { person: result, created };
    });
  }

  private async registering(actor: Actor, work: (em: EntityManager) => Promise<Written>): Promise<Written> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('person');
    try {
      return await this.inTenant(actor, work);
    } catch (error) {
      // The id belongs to a record the actor may not see: answer as if it did not exist.
      if (error instanceof UniqueConstraintViolationException) throw new NotFoundProblem('person');
      throw error;
    }
  }

  private async registerIn(
    em: EntityManager,
    actor: Actor,
    clientId: string | undefined,
    input: PersonInput,
    now: Date,
  ): Promise<Written> {
    const id = clientId ?? uuidv7();
    // An id the server just generated cannot exist yet: only a client-chosen one is looked up.
    const existing = clientId === undefined ? null : await this.findVisible(em, actor, clientId, now);
    if (existing) {
      if (!canWrite(actor, existing.person)) throw new NotFoundProblem('person');
      if (!sameRegistration(existing.person, input)) throw new PreconditionRequiredProblem();
      return { person: toPersonView(existing.person, existing.access), created: false };
    }
    // An estimated age is dated, so the age band and birth year stay right as years pass.
    const estimatedAgeOn = input.estimatedAge === null ? null : now.toISOString().slice(0, 10);
    const { key, wrapped } = this.vault.newKey(id);
    const person = em.create(Person, {
      id,
      ownerOrganisation: actor.organisation,
      ...input,
      sealed: this.vault.seal(key, id, sealedDataOf(input)),
      estimatedAgeOn,
      searchText: searchTextOf(input),
      cardAliases: cardAliasesOf(input.aliases),
      ...matchColumnsOf({ ...input, estimatedAgeOn }),
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    await nativeQuery(em, 'insert into person_key (person_id, wrapped_key) values ($1, $2)', [id, wrapped]);
    this.keys.set(person, key);
    await this.logAccess(
      em,
      actor,
      'register',
      [{ person, access: { basis: 'owner', consentId: null } }],
      now,
    );
    await this.events.append(em, [
      {
        subject: 'accanto.people.person-registered.v1',
        organisation: actor.organisation,
        actor,
        correlationId: uuidv7(),
        subjects: { personId: id },
        payload: {
          personId: id,
          identified: input.givenName !== null || input.familyName !== null,
          ageBand: ageBandOf(person, now),
          usualArea: input.usualArea,
        },
      },
    ]);
    return { person: toPersonView(person, { basis: 'owner', consentId: null }), created: true };
  }

  /** Full replacement, guarded by If-Match: a stale version changes nothing. */
  async replace(
    actor: Actor,
    id: string,
    expectedVersion: number,
    input: PersonInput,
    now = new Date(),
  ): Promise<PersonView> {
    return this.changeOwned(actor, id, expectedVersion, now, async (em, found) => {
      const { person } = found;
      const changed = changedFields(person, input);
      em.assign(person, {
        ...input,
        searchText: searchTextOf(input),
        cardAliases: cardAliasesOf(input.aliases),
        updatedAt: now,
      });
      if (input.estimatedAge !== null && changed.includes('estimatedAge')) {
        person.estimatedAgeOn = now.toISOString().slice(0, 10);
      }
      em.assign(person, matchColumnsOf(person));
      if (changed.some((field) => (sealedFields as readonly string[]).includes(field)))
        person.sealed = this.vault.seal(this.keys.get(person)!, id, sealedDataOf(person));
      await em.flush();
      await this.logAccess(em, actor, 'update', [found], now);
      if (changed.length > 0) {
        await this.events.append(em, [
          {
            subject: 'accanto.people.person-updated.v1',
            organisation: person.ownerOrganisation,
            actor,
            correlationId: uuidv7(),
            subjects: { personId: id },
            payload: { personId: id, recordVersion: person.version, changedFields: changed },
          },
        ]);
      }
      return toPersonView(person, found.access);
    });
  }

  /**
   * Marks a person at special risk as restricted (or lifts it), naming who else may read the record.
   * Guarded by If-Match like any change; other services learn only that access narrowed, not why.
   */
  async changeRestriction(
    actor: Actor,
    id: string,
    expectedVersion: number,
    input: RestrictionInput,
    now = new Date(),
  ): Promise<PersonView> {
    return this.changeOwned(actor, id, expectedVersion, now, async (em, found) => {
      const { person } = found;
      if (!canChangeRestriction(actor, person, input.restricted)) {
        throw new ProblemException(
          403,
          'coordinator-required',
          'Forbidden',
          'Only a coordinator lifts a restriction.',
        );
      }
      const organisations = [...new Set(input.organisations)].filter((o) => o !== person.ownerOrganisation);
      em.assign(person, {
        restricted: input.restricted,
        restrictedTo: organisations,
        restrictionReason: input.reason,
        updatedAt: now,
      });
      await em.flush();
      await this.logAccess(em, actor, 'restriction', [found], now);
      await this.events.append(em, [
        {
          subject: 'accanto.people.person-restriction-changed.v1',
          organisation: person.ownerOrganisation,
          actor,
          correlationId: uuidv7(),
          subjects: { personId: id },
          payload: { personId: id, restricted: input.restricted, organisations },
        },
      ]);
      return toPersonView(person, found.access);
    });
  }

  /**
   * A change to a record the actor's organisation owns, at the version the actor read (If-Match).
   * Stale or raced (two writers read the same version: the second flush matches no row): 412.
   */
  async changeOwned(
    actor: Actor,
    id: string,
    expectedVersion: number,
    now: Date,
    change: (em: EntityManager, found: { person: Person; access: Access }) => Promise<PersonView>,
  ): Promise<PersonView> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('person');
    try {
      return await this.inTenant(actor, async (em) => {
        const found = await this.findVisible(em, actor, id, now);
        if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
        if (found.person.version !== expectedVersion) throw new PreconditionFailedProblem();
        return change(em, found);
      });
    } catch (error) {
      if (error instanceof OptimisticLockError) throw new PreconditionFailedProblem();
      throw error;
    }
  }

  async get(actor: Actor, id: string, now = new Date()): Promise<PersonView> {
    if (!isPartnerStaff(actor) && !actor.roles.includes('hub')) throw new NotFoundProblem('person');
    return this.inTenant(actor, async (em) => {
      const found = await this.findVisible(em, actor, id, now, { forgotten: true });
      if (!found) throw new NotFoundProblem('person');
      if (found.person.forgottenAt) {
        // Its owner learns it was erased; to anyone else it never existed.
        if (found.access.basis !== 'owner') throw new NotFoundProblem('person');
        throw new ProblemException(
          410,
          'forgotten',
          'Gone',
          'This person was forgotten: their data is erased.',
        );
      }
      await this.recordReads(em, actor, [{ person: found.person, access: found.access }]);
      return toPersonView(found.person, found.access);
    });
  }

  /** Lists or searches what the actor may see; records a view for each record read across a boundary. */
  async list(actor: Actor, query: ListPersonsQuery, now = new Date()): Promise<Page<PersonView>> {
    if (!isPartnerStaff(actor) && !actor.roles.includes('hub')) return { items: [], next: null };
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const search = query.q === undefined ? null : normaliseForSearch(query.q);
    return this.inTenant(actor, async (em) => {
      const { sql, params } = visiblePersonsSql(actor, { search, cursor, limit: query.limit + 1, now });
      const rows = await em.execute<Array<Record<string, unknown> & { consent_id: string | null }>>(
        sql,
        params,
      );
      const page = rows.slice(0, query.limit).map((row) => {
        const person = em.map(Person, row);
        return { person, access: accessOf(actor, person, row.consent_id) };
      });
      await this.open(
        em,
        page.map(({ person }) => person),
      );
      await this.recordReads(em, actor, page);
      const last = page.at(-1);
      const next =
        rows.length > query.limit && last
          ? search === null
            ? encodeCursor({ id: last.person.id })
            : encodeCursor({ offset: (cursor?.offset ?? 0) + query.limit })
          : null;
      return { items: page.map(({ person, access }) => toPersonView(person, access)), next };
    });
  }

  /**
   * The person, opened, with the actor's access; null when it does not exist for them. A forgotten
   * person does not exist unless asked for (`forgotten`), and then has no sealed fields.
   */
  async findVisible(
    em: EntityManager,
    actor: Actor,
    id: string,
    now: Date,
    { forgotten = false } = {},
  ): Promise<{ person: Person; access: Access } | null> {
    const person = await em.findOne(Person, { id });
    if (!person || (person.forgottenAt && !forgotten)) return null;
    // Consents matter only when neither ownership, the hub role nor a restriction already decides.
    const decided = readAccess(actor, person, [], now);
    const access =
      decided ??
      (person.restricted ? null : readAccess(actor, person, await em.find(Consent, { personId: id }), now));
    if (!access) return null;
    await this.open(em, [person]);
    return { person, access };
  }

  /**
   * Opens the sealed fields of persons just loaded, with their data keys. A forgotten person's key is
   * destroyed: their fields stay empty, as the data no longer exists anywhere.
   */
  async open(em: EntityManager, persons: Person[]): Promise<void> {
    const closed = persons.filter((person) => !this.keys.has(person) && !person.forgottenAt);
    if (closed.length === 0) return;
    const { rows } = await nativeQuery<{ person_id: string; wrapped_key: Buffer | null }>(
      em,
      'select person_id, wrapped_key from person_key where person_id = any($1::uuid[])',
      [closed.map((person) => person.id)],
    );
    const wrapped = new Map(rows.map((row) => [row.person_id, row.wrapped_key]));
    for (const person of closed) {
      const wrappedKey = wrapped.get(person.id);
      if (!wrappedKey) continue;
      const key = this.vault.unwrap(person.id, wrappedKey);
      this.keys.set(person, key);
      Object.assign(person, this.vault.open<SealedData>(key, person.id, person.sealed));
    }
  }

  logAccess(
    em: EntityManager,
    actor: Actor,
    action: AccessAction,
    reads: Array<{ person: Person; access: Access }>,
    at: Date,
  ): Promise<void> {
    return recordAccess(em, actor, accessEntries(action, reads), at);
  }

  /** Records reads in the access log, and as events where they cross an organisation boundary. */
  async recordReads(em: EntityManager, actor: Actor, reads: Array<{ person: Person; access: Access }>) {
    await this.logAccess(em, actor, 'read', reads, new Date());
    const crossing = reads.filter(({ access }) => access.basis !== 'owner');
    if (crossing.length === 0) return;
    const correlationId = uuidv7();
    await this.events.append(
      em,
      crossing.map(({ person, access }) => ({
        subject: 'accanto.people.person-viewed.v1' as const,
        organisation: person.ownerOrganisation,
        actor,
        correlationId,
        subjects: { personId: person.id },
        payload: {
          personId: person.id,
          basis: access.basis as 'hub' | 'consent' | 'restriction',
          consentId: access.consentId,
        },
      })),
    );
  }
}

/** Records in the access log that the actor read or changed these persons. */
function accessEntries(action: AccessAction, reads: Array<{ person: Person; access: Access }>) {
  return reads.map(({ person, access }) => ({
    personId: person.id,
    ownerOrganisation: person.ownerOrganisation,
    action,
    basis: access.basis,
    consentId: access.consentId,
  }));
}

// Listing pages by id (UUIDv7: creation order); search pages by rank, so its cursor is an offset.
const cursorSchema = z
  .object({ id: z.uuid().optional(), offset: z.number().int().min(0).max(10_000).optional() })
  .strict();

// The SQL already decided that the row is visible; this only names on which basis.
function accessOf(actor: Actor, person: Person, consentId: string | null): Access {
  if (isPartnerStaff(actor) && person.ownerOrganisation === actor.organisation)
    return { basis: 'owner', consentId: null };
  if (person.restricted) return { basis: 'restriction', consentId: null };
  if (actor.roles.includes('hub')) return { basis: 'hub', consentId: null };
  return { basis: 'consent', consentId };
}

const comparedFields = [
  'needs',
  'givenName',
  'familyName',
  'nameQuality',
  'codeName',
  'description',
  'aliases',
  'birthDate',
  'birthDateQuality',
  'estimatedAge',
  'gender',
  'nationality',
  'languages',
  'usualArea',
] as const satisfies ReadonlyArray<keyof PersonInput & keyof Person>;

function changedFields(person: Person, input: PersonInput): string[] {
  // Deep equality ignores key order: jsonb gives back object keys in its own order.
  return comparedFields.filter((field) => !isDeepStrictEqual(person[field], input[field]));
}

function sealedDataOf(source: SealedData): SealedData {
  return Object.fromEntries(sealedFields.map((field) => [field, source[field]])) as SealedData;
}

function sameRegistration(person: Person, input: PersonInput): boolean {
  return changedFields(person, input).length === 0;
}
