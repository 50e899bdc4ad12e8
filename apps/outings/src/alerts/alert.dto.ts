import { z } from 'zod';
import { alertOutcomes, alertSources, alertUrgencies, areaCode } from '#contracts';
import { pageQuery } from '#http';
import type { Alert } from './alert.entity.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const alertInput = z
  .object({
    receivedAt: instant,
    source: z.enum(alertSources),
    urgency: z.enum(alertUrgencies).default('routine'),
    place: z
      .object({
        area: areaCode.nullable().default(null),
        latitude: z.number().min(-90).max(90).nullable().default(null),
        longitude: z.number().min(-180).max(180).nullable().default(null),
        description: text(200).nullable().default(null),
      })
      .strict()
      .superRefine((p, ctx) => {
        if ((p.latitude === null) !== (p.longitude === null)) {
          ctx.addIssue({ code: 'custom', path: ['latitude'], message: 'give both coordinates or neither' });
        }
        if (p.area === null && p.latitude === null) {
          ctx.addIssue({
            code: 'custom',
            path: ['area'],
            message: 'give the area, the coordinates, or both',
          });
        }
      }),
    /** What the caller said about who is in need: no more than the unit needs to find and help them. */
    description: text(500),
  })
  .strict();
export type AlertInput = z.output<typeof alertInput>;

/** A unit, or one of tonight's outings (its unit goes, with the team on board): one of the two. */
export const assignInput = z
  .object({ unitId: z.uuid().optional(), outingId: z.uuid().optional() })
  .strict()
  .refine((a) => (a.unitId === undefined) !== (a.outingId === undefined), {
    path: ['unitId'],
    message: 'give the unit or the outing, one of them',
  });
export type AssignInput = z.output<typeof assignInput>;

export const closeInput = z.object({ outcome: z.enum(alertOutcomes), closedAt: instant }).strict();
export type CloseInput = z.output<typeof closeInput>;

export const alertIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();

export const listAlertsQuery = z
  .object({
    ...pageQuery,
    status: z.enum(['open', 'assigned', 'closed']).optional(),
    area: areaCode.optional(),
  })
  .strict();
export type ListAlertsQuery = z.output<typeof listAlertsQuery>;

export type AlertView = {
  id: string;
  organisation: string;
  version: number;
  receivedAt: string;
  source: string;
  urgency: string;
  place: {
    area: string | null;
    latitude: number | null;
    longitude: number | null;
    description: string | null;
  };
  description: string;
  status: string;
  assignedUnitId: string | null;
  assignedOutingId: string | null;
  assignedOrganisation: string | null;
  assignedAt: string | null;
  outcome: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export function toAlertView(a: Alert): AlertView {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: a.id,
    organisation: a.organisation,
    version: a.version,
    receivedAt: iso(a.receivedAt)!,
    source: a.source,
    urgency: a.urgency,
    place: { area: a.area, latitude: a.latitude, longitude: a.longitude, description: a.placeDescription },
    description: a.description,
    status: a.status,
    assignedUnitId: a.assignedUnitId,
    assignedOutingId: a.assignedOutingId,
    assignedOrganisation: a.assignedOrganisation,
    assignedAt: iso(a.assignedAt),
    outcome: a.outcome,
    closedAt: iso(a.closedAt),
    createdAt: iso(a.createdAt)!,
    updatedAt: iso(a.updatedAt)!,
  };
}
