import { recomputingMatchColumns } from './match-columns.js';

/**
 * Known name groups are keyed by their first name, not their position in the list, and there are more
 * of them (short forms in Romanian, Arabic, West African and Slavic names; Senegambian family names:
 * match-names.ts), so every record's blocking keys are computed again from its sealed names.
 */
export const migrationPeople0012 = recomputingMatchColumns;
