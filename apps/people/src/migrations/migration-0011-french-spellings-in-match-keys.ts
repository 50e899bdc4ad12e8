import { recomputingMatchColumns } from './match-columns.js';

/**
 * The phonetic key hears two French spellings (a mute final e, "ou" before a vowel: match-names.ts),
 * so every record's blocking keys are computed again from its sealed names (docs/adr/0007).
 */
export const migrationPeople0011 = recomputingMatchColumns;
