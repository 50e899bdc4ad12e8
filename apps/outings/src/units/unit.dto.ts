import { z } from 'zod';
import { organisationAlias, unitSpecialisations } from '#contracts';
import { pageQuery } from '#http';
import type { Unit } from './unit.entity.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/** Creation and full replacement share one shape. */
export const unitInput = z
  .object({
    name: text(100),
    /** Model and plate, e.g. "Fiat Ducato AB123CD"; null for a unit on foot. */
    vehicle: text(100).nullable().default(null),
    specialisation: z.enum(unitSpecialisations),
    active: z.boolean().default(true),
  })
  .strict();
export type UnitInput = z.output<typeof unitInput>;

export const unitIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();

export const listUnitsQuery = z
  .object({
    ...pageQuery,
    organisation: organisationAlias.optional(),
    active: z.stringbool().optional(),
  })
  .strict();
export type ListUnitsQuery = z.output<typeof listUnitsQuery>;

export type UnitView = {
  id: string;
  organisation: string;
  version: number;
  name: string;
  vehicle: string | null;
  specialisation: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
};

export function toUnitView(u: Unit): UnitView {
  return {
    id: u.id,
    organisation: u.organisation,
    version: u.version,
    name: u.name,
    vehicle: u.vehicle,
    specialisation: u.specialisation,
    active: u.active,
    createdAt: new Date(u.createdAt).toISOString(),
    updatedAt: new Date(u.updatedAt).toISOString(),
  };
}
