import { z } from 'zod';

export const coverageQuery = z.object({ night: z.iso.date() }).strict();
export type CoverageQuery = z.output<typeof coverageQuery>;

export type CoverageView = {
  night: string;
  areas: Array<{
    code: string;
    name: string;
    district: number;
    outings: Array<{ id: string; organisation: string; unitId: string; status: string; covered: boolean }>;
  }>;
};
