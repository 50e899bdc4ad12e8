import { aliasText, nameTokens, tokenSetSimilarity, tokenSimilarity } from './match-names.js';

// How alike two organisations' records of a person are. The evidence of each field is added as
// log-odds (Fellegi-Sunter record linkage): agreement adds, disagreement subtracts, a missing field
// says nothing. The sum goes through a logistic to a score in [0, 1]. A score is a reason to ask a
// person to review a pair, never to link it: docs/adr/0007-person-matching.md.

/** What matching reads of a person's record: the fields of `PersonInput` it compares. */
export type MatchPerson = {
  givenName: string | null;
  familyName: string | null;
  aliases: ReadonlyArray<{ name: string; kind: 'alias' | 'street-name' }>;
  birthDate: string | null;
  birthDateQuality: 'full' | 'approximate' | 'unknown' | 'refused';
  estimatedAge: number | null;
  estimatedAgeOn: string | null;
  nationality: string | null;
  gender: string | null;
};

export type NameCoverage = 'full' | 'partial' | 'none';
export type BirthAgreement =
  | 'same-date'
  | 'near-date'
  | 'same-year'
  | 'close-years'
  | 'compatible'
  | 'loosely-compatible'
  | 'far'
  | 'different'
  | 'unknown';
export type Agreement = 'same' | 'different' | 'unknown';

/** Each field's finding and the log-odds it added: what a reviewer is shown next to the score. */
export type MatchComponents = {
  names: { similarity: number; coverage: NameCoverage; weight: number };
  aliases: { similarity: number; against: 'alias' | 'name' | 'none'; weight: number };
  birth: { agreement: BirthAgreement; yearsApart: number | null; weight: number };
  nationality: { agreement: Agreement; weight: number };
  gender: { agreement: Agreement; weight: number };
};

export type MatchScore = { score: number; logOdds: number; components: MatchComponents };

export type MatchWeights = {
  bias: number;
  /** Whole names compared (given and family on both sides) weigh more than one name alone. */
  names: Record<Exclude<NameCoverage, 'none'>, number>;
  /** Name similarity → share of the names weight, interpolated between the points. */
  nameCurve: ReadonlyArray<readonly [similarity: number, share: number]>;
  aliases: { alias: number; name: number };
  birth: Record<Exclude<BirthAgreement, 'unknown'>, number>;
  nationality: { same: number; different: number };
  gender: { same: number; different: number };
};

// Tuned on the synthetic set of scripts/bench/matching-data.ts, seed 1; measured on seed 2.
export const defaultMatchWeights: MatchWeights = {
  bias: -7,
  names: { full: 8, partial: 4 },
  nameCurve: [
    [0.5, -1],
    [0.75, -0.6],
    [0.82, 0],
    [0.87, 0.35],
    [0.92, 0.75],
    [0.97, 1],
  ],
  aliases: { alias: 2.5, name: 1.5 },
  birth: {
    'same-date': 4.5,
    'near-date': 2.5,
    'same-year': 1,
    'close-years': -1.5,
    compatible: 1,
    'loosely-compatible': 0,
    far: -1.5,
    different: -4,
  },
  nationality: { same: 1, different: -2 },
  gender: { same: 0.3, different: -3.5 },
};

/** Pairs scoring at least this are proposed for review. */
export const defaultMatchThreshold = 0.5;

export function matchScore(a: MatchPerson, b: MatchPerson, weights = defaultMatchWeights): MatchScore {
  const names = compareNames(a, b, weights);
  const aliases = compareAliases(a, b, weights);
  const birth = compareBirth(a, b, weights);
  const nationality = compareNationality(a, b, weights);
  const gender = compareGender(a, b, weights);
  const logOdds =
    weights.bias + names.weight + aliases.weight + birth.weight + nationality.weight + gender.weight;
  return {
    score: 1 / (1 + Math.exp(-logOdds)),
    logOdds,
    components: { names, aliases, birth, nationality, gender },
  };
}

function interpolate(curve: MatchWeights['nameCurve'], x: number): number {
  if (x <= curve[0][0]) return curve[0][1];
  for (let i = 1; i < curve.length; i++) {
    const [x1, y1] = curve[i];
    if (x <= x1) {
      const [x0, y0] = curve[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return curve[curve.length - 1][1];
}

function compareNames(a: MatchPerson, b: MatchPerson, weights: MatchWeights): MatchComponents['names'] {
  const [givenA, familyA, givenB, familyB] = [
    nameTokens(a.givenName),
    nameTokens(a.familyName),
    nameTokens(b.givenName),
    nameTokens(b.familyName),
  ];
  const allA = [...givenA, ...familyA];
  const allB = [...givenB, ...familyB];
  if (allA.length === 0 || allB.length === 0) return { similarity: 0, coverage: 'none', weight: 0 };
  let similarity: number;
  let coverage: NameCoverage;
  if (givenA.length && familyA.length && givenB.length && familyB.length) {
    // A wrong family name is not made good by a right given name: the weaker part counts more.
    const pair = (x: number, y: number) => 0.6 * Math.min(x, y) + 0.4 * Math.max(x, y);
    const straight = pair(tokenSetSimilarity(givenA, givenB, 0.03), tokenSetSimilarity(familyA, familyB, 0.03));
    // Given and family names are often swapped (on documents, by whoever writes them down).
    const swapped = pair(tokenSetSimilarity(givenA, familyB, 0.03), tokenSetSimilarity(familyA, givenB, 0.03));
    // Or split differently: "Mohamed Ali | Ben Salah" and "Mohamed | Ali Bensalah".
    const whole = tokenSetSimilarity(allA, allB, 0.05) - 0.02;
    similarity = Math.max(straight, swapped - 0.01, whole);
    coverage = 'full';
  } else {
    // One record holds a given name only (or a family name only): it can agree with either part.
    similarity = tokenSetSimilarity(allA, allB);
    coverage = 'partial';
  }
  return { similarity, coverage, weight: weights.names[coverage] * interpolate(weights.nameCurve, similarity) };
}

function compareAliases(a: MatchPerson, b: MatchPerson, weights: MatchWeights): MatchComponents['aliases'] {
  const aliasesA = a.aliases.map((x) => aliasText(x.name)).filter(Boolean);
  const aliasesB = b.aliases.map((x) => aliasText(x.name)).filter(Boolean);
  const best = (xs: string[], ys: string[]) =>
    Math.max(0, ...xs.flatMap((x) => ys.map((y) => tokenSimilarity(x, y))));
  // A street name said to one partner may be the name written down by another.
  const namesOf = (p: MatchPerson) => {
    const tokens = [...nameTokens(p.givenName), ...nameTokens(p.familyName)];
    return tokens.length > 1 ? [...tokens, tokens.join('')] : tokens;
  };
  const againstAlias = best(aliasesA, aliasesB);
  const againstName = Math.max(best(aliasesA, namesOf(b)), best(aliasesB, namesOf(a)));
  // Different nicknames are no evidence of different people: only agreement counts.
  const share = (s: number) => Math.min(1, Math.max(0, (s - 0.85) / 0.12));
  const aliasWeight = weights.aliases.alias * share(againstAlias);
  const nameWeight = weights.aliases.name * share(againstName);
  if (aliasWeight === 0 && nameWeight === 0) {
    return { similarity: Math.max(againstAlias, againstName), against: 'none', weight: 0 };
  }
  return aliasWeight >= nameWeight
    ? { similarity: againstAlias, against: 'alias', weight: aliasWeight }
    : { similarity: againstName, against: 'name', weight: nameWeight };
}

type Birth = { year: number; date: string | null; kind: 'exact' | 'approximate' | 'estimated' };

function birthOf(p: MatchPerson): Birth | null {
  if (p.birthDate !== null && ['full', 'approximate'].includes(p.birthDateQuality)) {
    const kind = p.birthDateQuality === 'full' ? 'exact' : 'approximate';
    return { year: Number(p.birthDate.slice(0, 4)), date: p.birthDate, kind };
  }
  if (p.estimatedAge !== null && p.estimatedAgeOn !== null) {
    // Without the date of the estimate, an age cannot be placed in time.
    return { year: Number(p.estimatedAgeOn.slice(0, 4)) - p.estimatedAge, date: null, kind: 'estimated' };
  }
  return null;
}

/** Equal length, and one character changed or two neighbours swapped: a slip of the keyboard. */
function oneSlipApart(x: string, y: string): boolean {
  if (x.length !== y.length || x === y) return false;
  const diff = [...x].flatMap((c, i) => (c === y[i] ? [] : [i]));
  if (diff.length === 1) return true;
  return diff.length === 2 && diff[1] === diff[0] + 1 && x[diff[0]] === y[diff[1]] && x[diff[1]] === y[diff[0]];
}

function compareBirth(a: MatchPerson, b: MatchPerson, weights: MatchWeights): MatchComponents['birth'] {
  const [x, y] = [birthOf(a), birthOf(b)];
  if (x === null || y === null) return { agreement: 'unknown', yearsApart: null, weight: 0 };
  const yearsApart = Math.abs(x.year - y.year);
  let agreement: BirthAgreement;
  if (x.kind === 'exact' && y.kind === 'exact' && x.date !== null && y.date !== null) {
    const [yearX, monthX, dayX] = x.date.split('-');
    const [yearY, monthY, dayY] = y.date.split('-');
    const swappedDayMonth = monthX === dayY && dayX === monthY;
    if (x.date === y.date) agreement = 'same-date';
    else if (
      // Day and month read the other way round, a slipped digit, or a 1st of January placeholder.
      (yearX === yearY && (swappedDayMonth || oneSlipApart(`${monthX}${dayX}`, `${monthY}${dayY}`))) ||
      (`${monthX}${dayX}` === `${monthY}${dayY}` && oneSlipApart(yearX, yearY))
    )
      agreement = 'near-date';
    else if (yearsApart === 0) agreement = 'same-year';
    else if (yearsApart <= 2) agreement = 'close-years';
    else agreement = 'different';
  } else {
    // Street estimates are rough: people who sleep outside often look older than they are.
    const estimated = x.kind === 'estimated' || y.kind === 'estimated';
    const [close, loose, far] = estimated ? [3, 7, 12] : [1, 4, 8];
    if (yearsApart <= close) agreement = 'compatible';
    else if (yearsApart <= loose) agreement = 'loosely-compatible';
    else if (yearsApart <= far) agreement = 'far';
    else agreement = 'different';
  }
  return { agreement, yearsApart, weight: weights.birth[agreement] };
}

function compareNationality(a: MatchPerson, b: MatchPerson, weights: MatchWeights): MatchComponents['nationality'] {
  const known = (n: string | null) => (n === null || n === 'XX' ? null : n);
  const [x, y] = [known(a.nationality), known(b.nationality)];
  if (x === null || y === null) return { agreement: 'unknown', weight: 0 };
  return x === y
    ? { agreement: 'same', weight: weights.nationality.same }
    : { agreement: 'different', weight: weights.nationality.different };
}

const men = new Set(['m', 'u', 'uomo', 'maschio', 'male', 'man', 'homme', 'masculin', 'barbat', 'ragazzo', 'maschile']);
const women = new Set(['f', 'd', 'donna', 'femmina', 'female', 'woman', 'femme', 'feminin', 'femeie', 'ragazza', 'femminile']);

/** Self-described gender read as man / woman where the words say so plainly; anything else is not compared. */
export function genderOf(text: string | null): 'man' | 'woman' | null {
  if (text === null) return null;
  const words = aliasWords(text);
  // "donna trans", "uomo trans", "non binario": a reading we should not guess at.
  if (words.some((w) => w.startsWith('trans') || w === 'non' || w === 'nb')) return null;
  if (words.length === 1 && men.has(words[0])) return 'man';
  if (words.length === 1 && women.has(words[0])) return 'woman';
  return null;
}

const aliasWords = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .split(/[^a-z]+/)
    .filter(Boolean);

function compareGender(a: MatchPerson, b: MatchPerson, weights: MatchWeights): MatchComponents['gender'] {
  const [x, y] = [genderOf(a.gender), genderOf(b.gender)];
  if (x === null || y === null) return { agreement: 'unknown', weight: 0 };
  return x === y
    ? { agreement: 'same', weight: weights.gender.same }
    : { agreement: 'different', weight: weights.gender.different };
}
