import { z } from 'zod';
import { pageQuery } from '#http';
import type { MatchComponents } from '../matching/match-score.js';
import type { PersonView } from '../persons/person.dto.js';

const reason = z.string().trim().min(1).max(500);

export const linkInput = z
  .object({
    personIds: z
      .array(z.uuid())
      .length(2)
      .refine(([a, b]) => a !== b, 'two different records'),
    reason: reason.nullable().default(null),
  })
  .strict();
export type LinkInput = z.output<typeof linkInput>;

export const unlinkInput = z.object({ personId: z.uuid(), reason: reason.nullable().default(null) }).strict();
export type UnlinkInput = z.output<typeof unlinkInput>;

export const networkPersonParams = z.object({ networkPersonId: z.uuid() }).strict();

export type CandidateView = { person: PersonView; score: number; components: MatchComponents };

export type LinkHistoryEntry = {
  personId: string;
  linkedAt: string;
  linkedByOrganisation: string;
  reason: string | null;
  unlinkedAt: string | null;
  unlinkedByOrganisation: string | null;
  unlinkReason: string | null;
};

/** What one actor may see of a network person: the linked records it can read, and their link history. */
export type NetworkPersonView = { id: string; records: PersonView[]; history: LinkHistoryEntry[] };

export const reviewQueueQuery = z.object({ ...pageQuery }).strict();
export type ReviewQueueQuery = z.output<typeof reviewQueueQuery>;
/** The queue is ordered by when pairs were found; its cursor is an offset. */
export const offsetCursor = z.object({ offset: z.number().int().min(0).max(100_000) }).strict();

export type CandidatePairView = {
  persons: [PersonView, PersonView];
  score: number;
  components: MatchComponents;
  foundAt: string;
};
