import { z } from 'zod';
import { areaCode } from '#contracts';
import { pageQuery } from '#http';
import type { Polygon } from './milan-demo-areas.js';

export const areaCodeParams = z.object({ code: areaCode }).strict();

export const listAreasQuery = z
  .object({
    ...pageQuery,
    /** Municipio 1–9. */
    district: z.coerce.number().int().min(1).max(9).optional(),
  })
  .strict();
export type ListAreasQuery = z.output<typeof listAreasQuery>;

export type AreaView = { code: string; name: string; district: number; shape: Polygon };
