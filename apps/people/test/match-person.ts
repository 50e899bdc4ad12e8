import type { MatchPerson } from '../src/matching/match-score.js';

/** A record as matching compares it, with overrides: a common West-African name, fully known. */
export const aMatchPerson = (overrides: Partial<MatchPerson> = {}): MatchPerson => ({
  givenName: 'Mamadou',
  familyName: 'Diallo',
  aliases: [],
  birthDate: '1988-06-01',
  birthDateQuality: 'full',
  estimatedAge: null,
  estimatedAgeOn: null,
  nationality: 'GN',
  gender: 'uomo',
  usualArea: null,
  ...overrides,
});
