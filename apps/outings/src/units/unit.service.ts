import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  OptimisticLockError,
  UniqueConstraintViolationException,
  type EntityManager,
  type FilterQuery,
} from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Actor } from '#contracts';
import {
  decodeCursor,
  encodeCursor,
  NotFoundProblem,
  PreconditionFailedProblem,
  PreconditionRequiredProblem,
  type Page,
} from '#http';
import { tenantSession } from '#persistence';
import { canManageUnit, canRead } from '../access.js';
import { toUnitView, type ListUnitsQuery, type UnitInput, type UnitView } from './unit.dto.js';
import { Unit } from './unit.entity.js';

export type WrittenUnit = { unit: UnitView; created: boolean };

const cursorSchema = z.object({ id: z.uuid() }).strict();

@Injectable()
export class UnitService {
  constructor(private readonly orm: MikroORM) {}

  /** One transaction with the actor's tenant settings, so row-level security applies. */
  private inTenant<T>(actor: Actor, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(work);
  }

  /**
   * Creates a unit under a client-chosen id; repeating the same creation answers with the stored
   * unit and changes nothing, a different one needs If-Match.
   */
  async create(actor: Actor, id: string, input: UnitInput, now = new Date()): Promise<WrittenUnit> {
    if (!canManageUnit(actor, { organisation: actor.organisation })) throw new NotFoundProblem('unit');
    try {
      return await this.inTenant(actor, async (em) => {
        const existing = await em.findOne(Unit, { id });
        if (existing) {
          if (!canManageUnit(actor, existing)) throw new NotFoundProblem('unit');
          if (!sameUnit(existing, input)) throw new PreconditionRequiredProblem();
          return { unit: toUnitView(existing), created: false };
        }
        const unit = em.create(Unit, {
          id,
          organisation: actor.organisation,
          ...input,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
        await em.flush();
        return { unit: toUnitView(unit), created: true };
      });
    } catch (error) {
      // Another creator took the id between the look-up and the insert: it is not this actor's unit.
      if (error instanceof UniqueConstraintViolationException) throw new NotFoundProblem('unit');
      throw error;
    }
  }

  /** Full replacement at the version the actor read (If-Match). */
  async replace(
    actor: Actor,
    id: string,
    expectedVersion: number,
    input: UnitInput,
    now = new Date(),
  ): Promise<UnitView> {
    if (!canManageUnit(actor, { organisation: actor.organisation })) throw new NotFoundProblem('unit');
    try {
      return await this.inTenant(actor, async (em) => {
        const unit = await em.findOne(Unit, { id });
        if (!unit || !canManageUnit(actor, unit)) throw new NotFoundProblem('unit');
        if (unit.version !== expectedVersion) throw new PreconditionFailedProblem();
        em.assign(unit, { ...input, updatedAt: now });
        await em.flush();
        return toUnitView(unit);
      });
    } catch (error) {
      if (error instanceof OptimisticLockError) throw new PreconditionFailedProblem();
      throw error;
    }
  }

  async get(actor: Actor, id: string): Promise<UnitView> {
    if (!canRead(actor)) throw new NotFoundProblem('unit');
    return this.inTenant(actor, async (em) => {
      const unit = await em.findOne(Unit, { id });
      if (!unit) throw new NotFoundProblem('unit');
      return toUnitView(unit);
    });
  }

  async list(actor: Actor, query: ListUnitsQuery): Promise<Page<UnitView>> {
    if (!canRead(actor)) return { items: [], next: null };
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const where: FilterQuery<Unit> = {
      ...(query.organisation ? { organisation: query.organisation } : {}),
      ...(query.active === undefined ? {} : { active: query.active }),
      ...(cursor ? { id: { $gt: cursor.id } } : {}),
    };
    return this.inTenant(actor, async (em) => {
      const rows = await em.find(Unit, where, { orderBy: { id: 'asc' }, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.id }) : null;
      return { items: page.map(toUnitView), next };
    });
  }
}

function sameUnit(unit: Unit, input: UnitInput): boolean {
  return (
    unit.name === input.name &&
    unit.vehicle === input.vehicle &&
    unit.specialisation === input.specialisation &&
    unit.active === input.active
  );
}
