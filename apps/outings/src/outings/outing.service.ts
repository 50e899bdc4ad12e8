import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  OptimisticLockError,
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
  NotFoundProblem,
  PreconditionFailedProblem,
  PreconditionRequiredProblem,
  ValidationProblem,
  type FieldError,
  type Page,
} from '#http';
import { EventLog, type NewEvent } from '#messaging';
import { tenantSession } from '#persistence';
import { canRead, canWriteOuting, isPartnerStaff, seesTeam } from '../access.js';
import { unknownAreas } from '../areas/area.queries.js';
import { Unit } from '../units/unit.entity.js';
import {
  toOutingView,
  type CancelInput,
  type CompleteInput,
  type ListOutingsQuery,
  type OutingView,
  type PlanInput,
  type StartInput,
} from './outing.dto.js';
import { Outing } from './outing.entity.js';
import {
  guestOrganisations,
  nightOf,
  shiftErrors,
  teamErrors,
  transitions,
  volunteerMinutes,
  type Command,
} from './outing.rules.js';

export type WrittenOuting = { outing: OutingView; created: boolean };

const cursorSchema = z.object({ id: z.uuid() }).strict();

@Injectable()
export class OutingService {
  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventLog,
  ) {}

  /** One transaction with the actor's tenant settings, so row-level security applies. */
  private inTenant<T>(actor: Actor, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(work);
  }

  /**
   * Plans an outing under a client-chosen id (PUT without If-Match, idempotent for offline field
   * apps), or changes the plan of one not yet under way (with If-Match).
   */
  async plan(
    actor: Actor,
    id: string,
    expectedVersion: number | undefined,
    input: PlanInput,
    now = new Date(),
  ): Promise<WrittenOuting> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('outing');
    try {
      return await this.inTenant(actor, async (em) => {
        const existing = await em.findOne(Outing, { id });
        if (existing && !canWriteOuting(actor, existing)) throw new NotFoundProblem('outing');
        if (expectedVersion === undefined) {
          if (!existing) return { outing: await this.create(em, actor, id, input, now), created: true };
          if (!samePlan(existing, input)) throw new PreconditionRequiredProblem();
          return { outing: view(actor, existing), created: false };
        }
        if (!existing) throw new NotFoundProblem('outing');
        if (existing.version !== expectedVersion) throw new PreconditionFailedProblem();
        if (existing.status !== 'planned') {
          throw new ConflictProblem(`The outing is ${existing.status}: its plan can no longer change.`);
        }
        await this.checkPlan(em, actor, input, existing.id);
        em.assign(existing, { ...planFields(input), updatedAt: now });
        await em.flush();
        await this.events.append(em, [plannedEvent(actor, existing)], now);
        return { outing: view(actor, existing), created: false };
      });
    } catch (error) {
      throw translate(error);
    }
  }

  private async create(
    em: EntityManager,
    actor: Actor,
    id: string,
    input: PlanInput,
    now: Date,
  ): Promise<OutingView> {
    await this.checkPlan(em, actor, input, id);
    const outing = em.create(Outing, {
      id,
      organisation: actor.organisation,
      status: 'planned',
      ...planFields(input),
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    await this.events.append(em, [plannedEvent(actor, outing)], now);
    return view(actor, outing);
  }

  /** What a plan refers to must exist and belong to the planner; a unit goes out once a night. */
  private async checkPlan(
    em: EntityManager,
    actor: Actor,
    input: PlanInput,
    outingId: string,
  ): Promise<void> {
    const errors: FieldError[] = [];
    const unit = await em.findOne(Unit, { id: input.unitId });
    if (!unit || unit.organisation !== actor.organisation || !unit.active) {
      errors.push({
        field: 'body.unitId',
        rule: 'unknown_unit',
        message: 'not an active unit of your organisation',
      });
    }
    errors.push(...teamErrors(input.team, actor.organisation));
    errors.push(...(await unknownAreas(em, input.areasPlanned, 'body.areasPlanned')));
    if (errors.length > 0) throw new ValidationProblem(errors);
    const taken = await em.count(Outing, {
      unitId: input.unitId,
      night: nightOf(input.plannedStart),
      status: { $ne: 'cancelled' },
      id: { $ne: outingId },
    });
    if (taken > 0) throw new ConflictProblem('The unit already has an outing that night.');
  }

  /** The unit went out. Repeating the same start (a field app replaying its queue) changes nothing. */
  start(actor: Actor, id: string, expectedVersion: number, input: StartInput, now = new Date()) {
    return this.transition(actor, id, expectedVersion, 'start', now, {
      replayed: (o) => o.startedAt?.getTime() === input.startedAt.getTime(),
      check: async (_em, o) => [
        ...shiftErrors({ startedAt: input.startedAt }, now, 'body.startedAt'),
        ...(input.team ? teamErrors(input.team, o.organisation) : []),
      ],
      apply: (o) => {
        o.startedAt = input.startedAt;
        if (input.team) o.team = input.team;
        if (input.suppliesLoaded) o.suppliesLoaded = input.suppliesLoaded;
        return {
          subject: 'accanto.outings.outing-started.v1',
          occurredAt: input.startedAt,
          payload: {
            outingId: o.id,
            unitId: o.unitId,
            night: o.night,
            startedAt: input.startedAt.toISOString(),
            teamSize: o.team.length,
          },
        };
      },
    });
  }

  /** The unit came back: areas covered and what is left of the supplies; volunteer hours follow. */
  complete(actor: Actor, id: string, expectedVersion: number, input: CompleteInput, now = new Date()) {
    return this.transition(actor, id, expectedVersion, 'complete', now, {
      replayed: (o) => o.endedAt?.getTime() === input.endedAt.getTime(),
      check: async (em, o) => [
        ...shiftErrors({ startedAt: o.startedAt!, endedAt: input.endedAt }, now, 'body.endedAt'),
        ...suppliesErrors(o.suppliesLoaded, input.suppliesLeft),
        ...(await unknownAreas(em, input.areasCovered, 'body.areasCovered')),
      ],
      apply: (o) => {
        o.endedAt = input.endedAt;
        o.areasCovered = input.areasCovered;
        o.suppliesLeft = input.suppliesLeft;
        return {
          subject: 'accanto.outings.outing-completed.v1',
          occurredAt: input.endedAt,
          payload: {
            outingId: o.id,
            unitId: o.unitId,
            night: o.night,
            startedAt: o.startedAt!.toISOString(),
            endedAt: input.endedAt.toISOString(),
            areasCovered: o.areasCovered,
            team: o.team,
            volunteerMinutes: volunteerMinutes(o.team, o.startedAt!, input.endedAt),
            suppliesLoaded: o.suppliesLoaded,
            suppliesLeft: input.suppliesLeft,
          },
        };
      },
    });
  }

  /** A planned outing that will not go out; one under way is completed instead, however short. */
  cancel(actor: Actor, id: string, expectedVersion: number, input: CancelInput, now = new Date()) {
    return this.transition(actor, id, expectedVersion, 'cancel', now, {
      replayed: (o) => o.cancellationReason === input.reason,
      check: async () => [],
      apply: (o) => {
        o.cancellationReason = input.reason;
        return {
          subject: 'accanto.outings.outing-cancelled.v1',
          occurredAt: now,
          payload: { outingId: o.id, unitId: o.unitId, night: o.night, reason: input.reason },
        };
      },
    });
  }

  /**
   * A command on an outing the actor's organisation owns, at the version the actor read. A command
   * already applied with the same data answers with the outing as it is (offline replays); anything
   * else needs the current version (412) and the status the command starts from (409).
   */
  private async transition(
    actor: Actor,
    id: string,
    expectedVersion: number,
    command: Command,
    now: Date,
    steps: {
      replayed: (o: Outing) => boolean;
      check: (em: EntityManager, o: Outing) => Promise<FieldError[]>;
      apply: (o: Outing) => Pick<OutingEvent, 'subject' | 'payload' | 'occurredAt'>;
    },
  ): Promise<OutingView> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('outing');
    const { from, to } = transitions[command];
    try {
      return await this.inTenant(actor, async (em) => {
        const outing = await em.findOne(Outing, { id });
        if (!outing || !canWriteOuting(actor, outing)) throw new NotFoundProblem('outing');
        // Set only by their own command, so a match means this command already ran with this data.
        if (steps.replayed(outing)) return view(actor, outing);
        if (outing.version !== expectedVersion) throw new PreconditionFailedProblem();
        if (outing.status !== from) {
          throw new ConflictProblem(`The outing is ${outing.status}: only a ${from} outing can ${command}.`);
        }
        const errors = await steps.check(em, outing);
        if (errors.length > 0) throw new ValidationProblem(errors);
        const event = steps.apply(outing);
        outing.status = to;
        outing.updatedAt = now;
        await em.flush();
        await this.events.append(
          em,
          [
            {
              ...event,
              organisation: outing.organisation,
              actor,
              correlationId: uuidv7(),
              subjects: { outingId: outing.id, unitId: outing.unitId },
            } as NewEvent,
          ],
          now,
        );
        return view(actor, outing);
      });
    } catch (error) {
      throw translate(error);
    }
  }

  async get(actor: Actor, id: string): Promise<OutingView> {
    if (!canRead(actor)) throw new NotFoundProblem('outing');
    return this.inTenant(actor, async (em) => {
      const outing = await em.findOne(Outing, { id });
      if (!outing) throw new NotFoundProblem('outing');
      return view(actor, outing);
    });
  }

  async list(actor: Actor, query: ListOutingsQuery): Promise<Page<OutingView>> {
    if (!canRead(actor)) return { items: [], next: null };
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const where: FilterQuery<Outing> = {
      ...(query.night ? { night: query.night } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.organisation ? { organisation: query.organisation } : {}),
      ...(query.unitId ? { unitId: query.unitId } : {}),
      ...(query.area
        ? {
            $or: [
              { areasPlanned: { $contains: [query.area] } },
              { areasCovered: { $contains: [query.area] } },
            ],
          }
        : {}),
      ...(cursor ? { id: { $gt: cursor.id } } : {}),
    };
    return this.inTenant(actor, async (em) => {
      const rows = await em.find(Outing, where, { orderBy: { id: 'asc' }, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.id }) : null;
      return { items: page.map((o) => view(actor, o)), next };
    });
  }
}

type OutingEvent = NewEvent<
  | 'accanto.outings.outing-started.v1'
  | 'accanto.outings.outing-completed.v1'
  | 'accanto.outings.outing-cancelled.v1'
>;

function view(actor: Actor, outing: Outing): OutingView {
  const minutes =
    outing.status === 'completed' ? volunteerMinutes(outing.team, outing.startedAt!, outing.endedAt!) : null;
  return toOutingView(outing, seesTeam(actor, outing), minutes);
}

function planFields(input: PlanInput) {
  return {
    unitId: input.unitId,
    night: nightOf(input.plannedStart),
    plannedStart: input.plannedStart,
    plannedEnd: input.plannedEnd,
    team: input.team,
    areasPlanned: input.areasPlanned,
    suppliesLoaded: input.suppliesLoaded,
  };
}

function samePlan(outing: Outing, input: PlanInput): boolean {
  const stored = {
    unitId: outing.unitId,
    plannedStart: new Date(outing.plannedStart).getTime(),
    plannedEnd: new Date(outing.plannedEnd).getTime(),
    team: outing.team,
    areasPlanned: outing.areasPlanned,
    suppliesLoaded: outing.suppliesLoaded,
  };
  const asked = {
    ...input,
    plannedStart: input.plannedStart.getTime(),
    plannedEnd: input.plannedEnd.getTime(),
  };
  // Deep equality ignores key order: jsonb gives back object keys in its own order.
  return isDeepStrictEqual(stored, asked);
}

function plannedEvent(actor: Actor, outing: Outing): NewEvent<'accanto.outings.outing-planned.v1'> {
  return {
    subject: 'accanto.outings.outing-planned.v1',
    organisation: outing.organisation,
    actor,
    correlationId: uuidv7(),
    subjects: { outingId: outing.id, unitId: outing.unitId },
    payload: {
      outingId: outing.id,
      unitId: outing.unitId,
      night: outing.night,
      planVersion: outing.version,
      plannedStart: outing.plannedStart.toISOString(),
      plannedEnd: outing.plannedEnd.toISOString(),
      areasPlanned: outing.areasPlanned,
      teamSize: outing.team.length,
      guestOrganisations: guestOrganisations(outing.team, outing.organisation),
    },
  };
}

/** What is left of an item cannot be more than was loaded. */
function suppliesErrors(loaded: Outing['suppliesLoaded'], left: Outing['suppliesLeft']): FieldError[] {
  return Object.entries(left ?? {})
    .filter(([item, quantity]) => quantity > (loaded[item as keyof typeof loaded] ?? 0))
    .map(([item]) => ({
      field: `body.suppliesLeft.${item}`,
      rule: 'more_than_loaded',
      message: 'more left than was loaded',
    }));
}

function translate(error: unknown): unknown {
  if (error instanceof OptimisticLockError) return new PreconditionFailedProblem();
  if (error instanceof UniqueConstraintViolationException) {
    // Two plans for one unit and night raced past the check.
    if ((error as { constraint?: string }).constraint === 'outing_unit_night_key') {
      return new ConflictProblem('The unit already has an outing that night.');
    }
    // The id belongs to an outing the actor may not write: answer as if it did not exist.
    return new NotFoundProblem('outing');
  }
  return error;
}
