import { z } from 'zod';
import { areaCode, organisationAlias, supplies } from '#contracts';
import { pageQuery } from '#http';
import { cancellationReasons, outingStatuses, type Outing } from './outing.entity.js';
import { guestOrganisations, longestShiftHours } from './outing.rules.js';

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const teamMember = z
  .object({
    /** The member's user id, or the organisation's own register id for someone with no account: never a name. */
    memberId: z.uuid(),
    organisation: organisationAlias,
    volunteer: z.boolean(),
  })
  .strict();

const team = z
  .array(teamMember)
  .min(1)
  .max(20)
  .refine(
    (members) => new Set(members.map((m) => m.memberId)).size === members.length,
    'a member appears twice',
  );

const areaCodes = (max: number) =>
  z
    .array(areaCode)
    .max(max)
    .refine((codes) => new Set(codes).size === codes.length, 'an area appears twice');

/** Planning an outing, and changing its plan until it starts. */
export const planInput = z
  .object({
    unitId: z.uuid(),
    plannedStart: instant,
    plannedEnd: instant,
    team,
    areasPlanned: areaCodes(30),
    suppliesLoaded: supplies.default({}),
  })
  .strict()
  .superRefine((plan, ctx) => {
    // zod still runs this when a time failed to parse: that time already has its own error.
    if (!(plan.plannedStart instanceof Date) || !(plan.plannedEnd instanceof Date)) return;
    const hours = (plan.plannedEnd.getTime() - plan.plannedStart.getTime()) / 3_600_000;
    if (hours <= 0 || hours > longestShiftHours) {
      ctx.addIssue({
        code: 'custom',
        path: ['plannedEnd'],
        message: `must be after the start, within ${longestShiftHours} hours`,
      });
    }
  });
export type PlanInput = z.output<typeof planInput>;

/** The unit went out; the team and what was loaded are confirmed as they really were. */
export const startInput = z
  .object({
    startedAt: instant,
    team: team.optional(),
    suppliesLoaded: supplies.optional(),
  })
  .strict();
export type StartInput = z.output<typeof startInput>;

export const completeInput = z
  .object({
    endedAt: instant,
    areasCovered: areaCodes(60),
    suppliesLeft: supplies.default({}),
  })
  .strict();
export type CompleteInput = z.output<typeof completeInput>;

export const cancelInput = z.object({ reason: z.enum(cancellationReasons) }).strict();
export type CancelInput = z.output<typeof cancelInput>;

export const outingIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();

export const listOutingsQuery = z
  .object({
    ...pageQuery,
    night: z.iso.date().optional(),
    status: z.enum(outingStatuses).optional(),
    organisation: organisationAlias.optional(),
    unitId: z.uuid().optional(),
    /** Outings that planned or covered this area. */
    area: areaCode.optional(),
  })
  .strict();
export type ListOutingsQuery = z.output<typeof listOutingsQuery>;

export type OutingView = {
  id: string;
  organisation: string;
  unitId: string;
  version: number;
  night: string;
  status: string;
  plannedStart: string;
  plannedEnd: string;
  /** Only the owning organisation sees who is in the team; everyone sees how many and from where. */
  team: Outing['team'] | null;
  teamSize: number;
  guestOrganisations: string[];
  areasPlanned: string[];
  areasCovered: string[];
  suppliesLoaded: Outing['suppliesLoaded'];
  suppliesLeft: Outing['suppliesLeft'];
  startedAt: string | null;
  endedAt: string | null;
  cancellationReason: string | null;
  /** Volunteer hours follow from the outing once it is completed (outing.rules.ts). */
  volunteerMinutes: number | null;
  createdAt: string;
  updatedAt: string;
};

export function toOutingView(o: Outing, seesTeam: boolean, volunteerMinutes: number | null): OutingView {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: o.id,
    organisation: o.organisation,
    unitId: o.unitId,
    version: o.version,
    night: o.night,
    status: o.status,
    plannedStart: iso(o.plannedStart)!,
    plannedEnd: iso(o.plannedEnd)!,
    team: seesTeam ? o.team : null,
    teamSize: o.team.length,
    guestOrganisations: guestOrganisations(o.team, o.organisation),
    areasPlanned: o.areasPlanned,
    areasCovered: o.areasCovered,
    suppliesLoaded: o.suppliesLoaded,
    suppliesLeft: o.suppliesLeft,
    startedAt: iso(o.startedAt),
    endedAt: iso(o.endedAt),
    cancellationReason: o.cancellationReason,
    volunteerMinutes,
    createdAt: iso(o.createdAt)!,
    updatedAt: iso(o.updatedAt)!,
  };
}
