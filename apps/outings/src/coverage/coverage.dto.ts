import { z } from 'zod';

export const coverageQuery = z.object({ night: z.iso.date() }).strict();
export type CoverageQuery = z.output<typeof coverageQuery>;

/** An alert of the night not yet closed, as partners on duty see it: never what the caller said. */
export type OpenAlert = {
  id: string;
  urgency: string;
  receivedAt: string;
  status: string;
  assignedOrganisation: string | null;
};

export type CoverageView = {
  night: string;
  /** Whether the caller sees the night's open alerts: a dispatcher, or an organisation out that night. */
  onDuty: boolean;
  areas: Array<{
    code: string;
    name: string;
    district: number;
    outings: Array<{ id: string; organisation: string; unitId: string; status: string; covered: boolean }>;
    openAlerts: OpenAlert[];
  }>;
  /** Open alerts placed by coordinates only, with no area. */
  openAlertsElsewhere: OpenAlert[];
};
