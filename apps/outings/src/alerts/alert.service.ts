import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  OptimisticLockError,
  UniqueConstraintViolationException,
  type EntityManager,
  type FilterQuery,
} from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Actor } from '#contracts';
import {
  ConflictProblem,
  decodeCursor,
  encodeCursor,
  NotFoundProblem,
  PreconditionFailedProblem,
  ProblemException,
  ValidationProblem,
  type FieldError,
  type Page,
} from '#http';
import { EventLog, type NewEvent } from '#messaging';
import { tenantSession } from '#persistence';
import { alertAccess, isDispatcher, isPartnerStaff } from '../access.js';
import { unknownAreas } from '../areas/area.queries.js';
import { Outing } from '../outings/outing.entity.js';
import { shiftErrors } from '../outings/outing.rules.js';
import { Unit } from '../units/unit.entity.js';
import {
  toAlertView,
  type AlertInput,
  type AlertView,
  type AssignInput,
  type CloseInput,
  type ListAlertsQuery,
} from './alert.dto.js';
import { Alert } from './alert.entity.js';

/** An alert goes to an outing that is still to come or out tonight, not to one that has ended. */
const outingStillOut = new Set(['planned', 'under-way']);

export type WrittenAlert = { alert: AlertView; created: boolean };

const cursorSchema = z.object({ id: z.uuid() }).strict();

@Injectable()
export class AlertService {
  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventLog,
  ) {}

  /** One transaction with the actor's tenant settings, so row-level security applies. */
  private inTenant<T>(actor: Actor, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(work);
  }

  /** Records an alert under a client-chosen id; the same alert sent again changes nothing. */
  async receive(actor: Actor, id: string, input: AlertInput, now = new Date()): Promise<WrittenAlert> {
    if (!isPartnerStaff(actor) && !isDispatcher(actor)) throw new NotFoundProblem('alert');
    try {
      return await this.inTenant(actor, async (em) => {
        const existing = await em.findOne(Alert, { id });
        if (existing) {
          if (alertAccess(actor, existing) !== 'receiver') throw new NotFoundProblem('alert');
          if (!sameAlert(existing, input))
            throw new ConflictProblem('This alert was recorded with other details.');
          return { alert: toAlertView(existing), created: false };
        }
        const errors = [
          ...shiftErrors({ startedAt: input.receivedAt }, now, 'body.receivedAt'),
          ...(await unknownAreas(em, input.place.area ? [input.place.area] : [], 'body.place.area')),
        ];
        if (errors.length > 0) throw new ValidationProblem(errors);
        const alert = em.create(Alert, {
          id,
          organisation: actor.organisation,
          receivedAt: input.receivedAt,
          source: input.source,
          urgency: input.urgency,
          area: input.place.area,
          latitude: input.place.latitude,
          longitude: input.place.longitude,
          placeDescription: input.place.description,
          description: input.description,
          status: 'open',
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
        await em.flush();
        await this.events.append(em, [
          event(actor, alert, 'accanto.outings.alert-received.v1', input.receivedAt, {
            alertId: id,
            source: input.source,
            urgency: input.urgency,
            area: input.place.area,
          }),
        ]);
        return { alert: toAlertView(alert), created: true };
      });
    } catch (error) {
      // The id is an alert the actor may not see: answer as if it did not exist.
      if (error instanceof UniqueConstraintViolationException) throw new NotFoundProblem('alert');
      throw error;
    }
  }

  /**
   * Sends a unit, of any partner, or one of the night's outings (planned or under way) to an alert
   * not yet closed; sending another replaces it.
   */
  assign(actor: Actor, id: string, expectedVersion: number, input: AssignInput, now = new Date()) {
    return this.change(actor, id, expectedVersion, now, {
      replayed: (a) =>
        a.status === 'assigned' &&
        (input.outingId === undefined
          ? a.assignedUnitId === input.unitId && a.assignedOutingId === null
          : a.assignedOutingId === input.outingId),
      apply: async (em, alert, access) => {
        if (access === 'assigned') {
          throw new ProblemException(
            403,
            'dispatcher-required',
            'Forbidden',
            'Who takes the call, or the hub, assigns.',
          );
        }
        const outing = input.outingId === undefined ? null : await em.findOne(Outing, { id: input.outingId });
        if (input.outingId !== undefined && (!outing || !outingStillOut.has(outing.status))) {
          throw new ValidationProblem([
            { field: 'body.outingId', rule: 'unknown_outing', message: 'not an outing planned or under way' },
          ]);
        }
        const unit = await em.findOne(Unit, { id: outing?.unitId ?? input.unitId! });
        if (!unit || !unit.active) {
          throw new ValidationProblem([
            { field: 'body.unitId', rule: 'unknown_unit', message: 'not an active unit' },
          ]);
        }
        Object.assign(alert, {
          status: 'assigned',
          assignedUnitId: unit.id,
          assignedOutingId: outing?.id ?? null,
          assignedOrganisation: unit.organisation,
          assignedAt: now,
        });
        return event(actor, alert, 'accanto.outings.alert-assigned.v1', now, {
          alertId: id,
          unitId: unit.id,
          assignedOrganisation: unit.organisation,
        });
      },
    });
  }

  /** Closes an alert with its outcome; the unit sent, the receiver or a dispatcher may. */
  close(actor: Actor, id: string, expectedVersion: number, input: CloseInput, now = new Date()) {
    return this.change(actor, id, expectedVersion, now, {
      replayed: (a) =>
        a.status === 'closed' &&
        a.outcome === input.outcome &&
        a.closedAt?.getTime() === input.closedAt.getTime(),
      apply: async (_em, alert) => {
        const errors: FieldError[] = shiftErrors({ startedAt: input.closedAt }, now, 'body.closedAt');
        if (input.closedAt.getTime() < alert.receivedAt.getTime()) {
          errors.push({
            field: 'body.closedAt',
            rule: 'before_received',
            message: 'must be after the alert came in',
          });
        }
        if (errors.length > 0) throw new ValidationProblem(errors);
        Object.assign(alert, { status: 'closed', outcome: input.outcome, closedAt: input.closedAt });
        return event(actor, alert, 'accanto.outings.alert-closed.v1', input.closedAt, {
          alertId: id,
          outcome: input.outcome,
          unitId: alert.assignedUnitId,
          minutesToClose: Math.round((input.closedAt.getTime() - alert.receivedAt.getTime()) / 60_000),
        });
      },
    });
  }

  /**
   * A change at the version the actor read (If-Match). The same change sent again answers with the
   * alert as it is (offline replays); a closed alert changes no more (409).
   */
  private async change(
    actor: Actor,
    id: string,
    expectedVersion: number,
    now: Date,
    steps: {
      replayed: (a: Alert) => boolean;
      apply: (
        em: EntityManager,
        a: Alert,
        access: 'receiver' | 'assigned' | 'dispatcher',
      ) => Promise<NewEvent>;
    },
  ): Promise<AlertView> {
    try {
      return await this.inTenant(actor, async (em) => {
        const alert = await em.findOne(Alert, { id });
        const access = alert ? alertAccess(actor, alert) : null;
        if (!alert || !access) throw new NotFoundProblem('alert');
        if (steps.replayed(alert)) return toAlertView(alert);
        if (alert.version !== expectedVersion) throw new PreconditionFailedProblem();
        if (alert.status === 'closed') throw new ConflictProblem('The alert is closed.');
        const recorded = await steps.apply(em, alert, access);
        alert.updatedAt = now;
        await em.flush();
        await this.events.append(em, [recorded], now);
        return toAlertView(alert);
      });
    } catch (error) {
      if (error instanceof OptimisticLockError) throw new PreconditionFailedProblem();
      throw error;
    }
  }

  async get(actor: Actor, id: string): Promise<AlertView> {
    return this.inTenant(actor, async (em) => {
      const alert = await em.findOne(Alert, { id });
      if (!alert || !alertAccess(actor, alert)) throw new NotFoundProblem('alert');
      return toAlertView(alert);
    });
  }

  async list(actor: Actor, query: ListAlertsQuery): Promise<Page<AlertView>> {
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const where: FilterQuery<Alert> = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.area ? { area: query.area } : {}),
      ...(cursor ? { id: { $gt: cursor.id } } : {}),
    };
    return this.inTenant(actor, async (em) => {
      // Row-level security already leaves out what the actor may not see; the filter says it again.
      const rows = (await em.find(Alert, where, { orderBy: { id: 'asc' }, limit: query.limit + 1 })).filter(
        (a) => alertAccess(actor, a) !== null,
      );
      const page = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.id }) : null;
      return { items: page.map(toAlertView), next };
    });
  }
}

function event<
  S extends
    | 'accanto.outings.alert-received.v1'
    | 'accanto.outings.alert-assigned.v1'
    | 'accanto.outings.alert-closed.v1',
>(actor: Actor, alert: Alert, subject: S, occurredAt: Date, payload: NewEvent<S>['payload']): NewEvent {
  return {
    subject,
    organisation: alert.organisation,
    actor,
    correlationId: uuidv7(),
    occurredAt,
    subjects: { alertId: alert.id, ...(alert.assignedUnitId ? { unitId: alert.assignedUnitId } : {}) },
    payload,
  } as NewEvent;
}

function sameAlert(a: Alert, input: AlertInput): boolean {
  return (
    new Date(a.receivedAt).getTime() === input.receivedAt.getTime() &&
    a.source === input.source &&
    a.urgency === input.urgency &&
    a.area === input.place.area &&
    a.latitude === input.place.latitude &&
    a.longitude === input.place.longitude &&
    a.placeDescription === input.place.description &&
    a.description === input.description
  );
}
