import { z } from 'zod';
import type { ageBands } from '#contracts';
import { pageQuery } from '#http';
import type { Access } from '../persons/person.policy.js';

export const searchCardsQuery = z
  .object({
    ...pageQuery,
    /** An alias or street name, or words of one: "rosso" finds "Il Rosso". */
    alias: z
      .string()
      .trim()
      .min(2)
      .max(100)
      // Folded, punctuation alone is no word: it would match every card.
      .refine((value) => /[\p{L}\p{N}]/u.test(value), 'must hold a letter or a digit')
      .optional(),
    /** The usual area, as recorded. */
    usualArea: z.string().trim().min(1).max(64).optional(),
  })
  .strict();
export type SearchCardsQuery = z.output<typeof searchCardsQuery>;

/**
 * What the network may know of a person who agreed to it (architecture.md §5): enough to recognise
 * them in the street and to know whom to call, no names, no birth date, nothing about needs.
 */
export type CardView = {
  personId: string;
  /** The organisation that holds the record: whom to call. */
  ownerOrganisation: string;
  /** Folded as search matches them. */
  aliases: string[];
  ageBand: (typeof ageBands)[number];
  usualArea: string | null;
  /** Why the caller sees the card. */
  access: Access['basis'];
  /** Whether the caller may also read the whole record. */
  wholeRecord: boolean;
};
