import { z } from 'zod';
import { areaCode } from '#contracts';
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

export const tallyInput = z
  .object({
    observed: z.number().int().min(0).max(10_000),
    interviewed: z.number().int().min(0).max(10_000),
  })
  .strict()
  .refine((t) => t.interviewed <= t.observed, {
    path: ['interviewed'],
    message: 'cannot exceed those observed',
  });
export type TallyInput = z.output<typeof tallyInput>;

export const campaignIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();
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
  }> | null;
};
