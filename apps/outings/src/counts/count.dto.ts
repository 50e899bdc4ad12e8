import { z } from 'zod';
import { ageBands, areaCode } from '#contracts';
import { pageQuery } from '#http';
import { countStatuses, type CountCampaign } from './count.entity.js';

export const campaignInput = z
  .object({
    edition: z.string().regex(/^\d{4}-(summer|winter)(-[a-z0-9]+)?$/, 'e.g. 2026-winter'),
    night: z.iso.date(),
    areas: z
      .array(areaCode)
      .min(1)
      .max(300)
      .refine((codes) => new Set(codes).size === codes.length, 'an area appears twice'),
  })
  .strict();
export type CampaignInput = z.output<typeof campaignInput>;

export const statusInput = z.object({ status: z.enum(countStatuses) }).strict();
export type StatusInput = z.output<typeof statusInput>;

/** How a count form records sex: as the person says, or as the volunteers saw it; unknown when neither. */
export const sexes = ['men', 'women', 'other', 'unknown'] as const;
export type Breakdown<K extends string> = Record<K, number>;

const people = z.number().int().min(0).max(10_000);

export type Sex = (typeof sexes)[number];
export type AgeBand = (typeof ageBands)[number];

/** Every category in the given order, those missing as 0. */
export function everyCategory<K extends string>(
  categories: readonly K[],
  counts: Partial<Record<K, number>>,
): Breakdown<K> {
  return Object.fromEntries(categories.map((c) => [c, counts[c] ?? 0])) as Breakdown<K>;
}

/** A breakdown as given; none given at all: every person is of unknown category. */
function fullBreakdown<K extends string>(
  categories: readonly K[],
  given: Partial<Record<K, number>> | undefined,
  observed: number,
): Breakdown<K> {
  return everyCategory(categories, given ?? ({ unknown: observed } as Partial<Record<K, number>>));
}

const sum = (counts: Partial<Record<string, number>> | undefined) =>
  Object.values(counts ?? {}).reduce<number>((total, n) => total + (n ?? 0), 0);

/**
 * One area's tally as the team's form has it. The breakdowns by sex and by age band each add up to
 * the people observed; left out, those people are of unknown sex or age. Bedded down: how many of
 * them were found sleeping out; left out, not recorded.
 */
export const tallyInput = z
  .object({
    observed: people,
    interviewed: people,
    sex: z.partialRecord(z.enum(sexes), people).optional(),
    ageBands: z.partialRecord(z.enum(ageBands), people).optional(),
    beddedDown: people.nullable().optional(),
  })
  .strict()
  .refine((t) => t.interviewed <= t.observed, {
    path: ['interviewed'],
    message: 'cannot exceed those observed',
  })
  .refine((t) => t.sex === undefined || sum(t.sex) === t.observed, {
    path: ['sex'],
    message: 'must add up to the people observed',
  })
  .refine((t) => t.ageBands === undefined || sum(t.ageBands) === t.observed, {
    path: ['ageBands'],
    message: 'must add up to the people observed',
  })
  .refine((t) => t.beddedDown === undefined || t.beddedDown === null || t.beddedDown <= t.observed, {
    path: ['beddedDown'],
    message: 'cannot exceed those observed',
  })
  .transform((t) => ({
    observed: t.observed,
    interviewed: t.interviewed,
    sex: fullBreakdown(sexes, t.sex, t.observed),
    ageBands: fullBreakdown(ageBands, t.ageBands, t.observed),
    beddedDown: t.beddedDown ?? null,
  }));
export type TallyInput = z.output<typeof tallyInput>;

export const campaignIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();

/**
 * A team of the count: at least three volunteers (names as the team sheet has them), hosted by the
 * caller's organisation, sent to some of the count's areas.
 */
export const teamInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    volunteers: z.array(z.string().trim().min(1).max(80)).min(3, 'a team has at least 3 volunteers').max(12),
    areas: z
      .array(areaCode)
      .min(1)
      .max(30)
      .refine((codes) => new Set(codes).size === codes.length, 'an area appears twice'),
  })
  .strict();
export type TeamInput = z.output<typeof teamInput>;
export const teamParams = z
  .object({ id: z.uuid({ version: 'v7' }), teamId: z.uuid({ version: 'v7' }) })
  .strict();

/** Volunteers' names go only to the team's own organisation and to the lead body, which runs the count. */
export type TeamView = {
  id: string;
  campaignId: string;
  organisation: string;
  name: string;
  volunteers: string[] | null;
  volunteerCount: number;
  areas: string[];
  version: number;
  updatedAt: string;
};
export const tallyParams = z.object({ id: z.uuid({ version: 'v7' }), area: areaCode }).strict();

export const listCampaignsQuery = z
  .object({ ...pageQuery, status: z.enum(countStatuses).optional() })
  .strict();
export type ListCampaignsQuery = z.output<typeof listCampaignsQuery>;

export type CampaignView = {
  id: string;
  edition: string;
  night: string;
  status: string;
  areas: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
};

export function toCampaignView(c: CountCampaign): CampaignView {
  return {
    id: c.id,
    edition: c.edition,
    night: c.night,
    status: c.status,
    areas: c.areas,
    version: c.version,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

export type TallyView = {
  campaignId: string;
  area: string;
  organisation: string;
  observed: number;
  interviewed: number;
  sex: Breakdown<Sex>;
  ageBands: Breakdown<AgeBand>;
  beddedDown: number | null;
  version: number;
  recordedAt: string;
};

/** Per area for those who read every tally; by Municipio, small cells hidden, for partners. */
export type ResultsView = {
  campaignId: string;
  edition: string;
  night: string;
  status: string;
  total: { observed: number; interviewed: number; areasCounted: number };
  /** Over every tally of the count; for partners, categories of 1 to 4 people are null. */
  breakdown: {
    sex: Record<Sex, number | null>;
    ageBands: Record<AgeBand, number | null>;
    beddedDown: { people: number | null; areasNotRecorded: number };
  };
  districts: Array<{
    district: number;
    observed: number | null;
    interviewed: number | null;
    suppressed: boolean;
  }>;
  areas: Array<{
    area: string;
    district: number;
    organisation: string;
    observed: number;
    interviewed: number;
    sex: Breakdown<Sex>;
    ageBands: Breakdown<AgeBand>;
    beddedDown: number | null;
  }> | null;
};
