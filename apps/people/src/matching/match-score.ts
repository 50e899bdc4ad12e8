import {
  aliasText,
  nameTokens,
  tokenSetSimilarity,
  tokenSimilarity,
  toNameTokens,
  type NameToken,
} from './match-names.js';

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
  /** Where the person usually stays (free text, often an area's code): people stay where they sleep. */
  usualArea: string | null;
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
export type NationalityAgreement = Agreement | 'neighbouring';

/** What comparing two records found, field by field, before any weighing. */
export type MatchFindings = {
  names: { similarity: number; coverage: NameCoverage };
  aliases: { toAlias: number; toName: number };
  birth: { agreement: BirthAgreement; yearsApart: number | null };
  nationality: { agreement: NationalityAgreement };
  gender: { agreement: Agreement };
  area: { agreement: Agreement };
};

/** Each field's finding and the log-odds it added: what a reviewer is shown next to the score. */
export type MatchComponents = {
  /** `namesakes`: how many of the candidates found bear a name this alike (1 when scored alone). */
  names: MatchFindings['names'] & { namesakes: number; weight: number };
  aliases: { similarity: number; against: 'alias' | 'name' | 'none'; weight: number };
  birth: MatchFindings['birth'] & { weight: number };
  nationality: MatchFindings['nationality'] & { weight: number };
  gender: MatchFindings['gender'] & { weight: number };
  area: MatchFindings['area'] & { weight: number };
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
  nationality: Record<Exclude<NationalityAgreement, 'unknown'>, number>;
  gender: { same: number; different: number };
  /** The usual area: the same one says a little; another says less, people move. */
  area: { same: number; different: number };
  /** Log-odds taken off name agreement per unit of ln(namesakes): a common name says less. */
  namesakes: number;
};

// Fitted by scripts/bench/matching-tune.ts on synthetic sets of scripts/bench/matching-data.ts (seeds
// 1, 7 and 8: the most recall with precision above 0.91 on records named in full and 0.92 on the mixed
// set), and measured on seeds 2 to 6 by scripts/bench/matching.ts: bench/matching/README.md.
export const defaultMatchWeights: MatchWeights = {
  bias: -6,
  names: { full: 8, partial: 4 },
  nameCurve: [
    [0.5, -1],
    [0.75, -0.6],
    [0.82, 0],
    [0.87, 0.35],
    [0.92, 0.75],
    [0.97, 1],
  ],
  aliases: { alias: 4.75, name: 1.5 },
  birth: {
    'same-date': 6,
    'near-date': 3.5,
    'same-year': 1,
    'close-years': -1.5,
    compatible: 1,
    'loosely-compatible': 0,
    far: -1.25,
    different: -3.5,
  },
  nationality: { same: 1, neighbouring: -0.3, different: -2.5 },
  gender: { same: 0.3, different: -3.5 },
  area: { same: 1.75, different: -0.25 },
  namesakes: 0.75,
};

/** Names at least this alike make two candidates namesakes of the record looked up. */
export const namesakeSimilarity = 0.92;

/** Pairs scoring at least this are proposed for review. */
export const defaultMatchThreshold = 0.5;

/** A record read once for many comparisons: its names folded and their sounds computed. */
export type PreparedPerson = {
  person: MatchPerson;
  given: NameToken[];
  family: NameToken[];
  aliases: NameToken[];
  /** Name tokens and, for a name of several words, the words written together. */
  names: NameToken[];
  birth: Birth | null;
  gender: 'man' | 'woman' | null;
  /** The usual area folded (case, accents, spaces), or null. */
  area: string | null;
  /** Whether the name is written in its own Latin spelling, not transliterated nor written by ear. */
  fixedSpelling: boolean;
};

// Countries whose names are written in Latin letters with one spelling: there, names that sound
// alike are different names (Rossi, Russo). Elsewhere, and when the nationality is unknown, a name
// reaches the registry through a transliteration or someone's ear, and sound counts as spelling.
const fixedSpellingNationalities = new Set(
  (
    'IT SM VA CH FR BE LU ES PT DE AT NL HR SI CZ SK HU PL RO AL LT LV EE ' +
    'AR BO BR CL CO EC PE PY UY VE SV HN GT MX DO CU'
  ).split(' '),
);

export function prepareForMatching(person: MatchPerson): PreparedPerson {
  const given = toNameTokens(nameTokens(person.givenName));
  const family = toNameTokens(nameTokens(person.familyName));
  const all = [...given, ...family];
  return {
    person,
    given,
    family,
    aliases: toNameTokens(person.aliases.map((a) => aliasText(a.name)).filter(Boolean)),
    names: all.length > 1 ? [...all, ...toNameTokens([all.map((t) => t.text).join('')])] : all,
    birth: birthOf(person),
    gender: genderOf(person.gender),
    area: areaOf(person.usualArea),
    fixedSpelling: person.nationality !== null && fixedSpellingNationalities.has(person.nationality),
  };
}

/** Two records compared on their own: nothing known of how common their names are. */
export function matchScore(
  a: MatchPerson | PreparedPerson,
  b: MatchPerson | PreparedPerson,
  weights = defaultMatchWeights,
): MatchScore {
  return weighFindings(matchFindings(a, b), weights);
}

/**
 * The candidates of one record, each scored. How many of them bear a name as alike as theirs
 * (namesakes) lowers what the name is worth: among the records the asker can see, "Mamadou Diallo"
 * says less than "Lăcrămioara Spoitoru". Counting among the candidates, not the registry, keeps
 * hidden records out of every score. Candidates beyond the lookup's limit are not counted.
 */
export function scoreCandidates<C extends MatchPerson>(
  person: MatchPerson,
  candidates: C[],
  weights = defaultMatchWeights,
  /** Namesakes counted by the candidate query beyond its limit (`CandidateRow.namesakes`). */
  counted = 0,
): Array<{ candidate: C; match: MatchScore }> {
  const self = prepareForMatching(person);
  const findings = candidates.map((candidate) => matchFindings(self, candidate));
  const namesakes = Math.max(
    counted,
    findings.filter((f) => f.names.coverage !== 'none' && f.names.similarity >= namesakeSimilarity).length,
  );
  return candidates.map((candidate, i) => ({
    candidate,
    match: weighFindings(findings[i], weights, namesakes),
  }));
}

export function matchFindings(
  a: MatchPerson | PreparedPerson,
  b: MatchPerson | PreparedPerson,
): MatchFindings {
  const x = 'person' in a ? a : prepareForMatching(a);
  const y = 'person' in b ? b : prepareForMatching(b);
  return {
    names: compareNames(x, y),
    aliases: compareAliases(x, y),
    birth: compareBirth(x.birth, y.birth),
    nationality: { agreement: compareNationality(x.person.nationality, y.person.nationality) },
    gender: {
      agreement:
        x.gender === null || y.gender === null ? 'unknown' : x.gender === y.gender ? 'same' : 'different',
    },
    area: {
      agreement: x.area === null || y.area === null ? 'unknown' : x.area === y.area ? 'same' : 'different',
    },
  };
}

/** The findings weighed: separate from comparing, so weights can be tuned without comparing again. */
export function weighFindings(
  findings: MatchFindings,
  weights = defaultMatchWeights,
  namesakes = 1,
): MatchScore {
  const { names, aliases, birth, nationality, gender, area } = findings;
  const nameWeight =
    names.coverage === 'none'
      ? 0
      : weights.names[names.coverage] * interpolate(weights.nameCurve, names.similarity);
  const commonness = weights.namesakes * Math.log(Math.max(1, namesakes));
  // Different nicknames are no evidence of different people: only agreement counts.
  const share = (s: number) => Math.min(1, Math.max(0, (s - 0.85) / 0.12));
  const toAlias = weights.aliases.alias * share(aliases.toAlias);
  const toName = weights.aliases.name * share(aliases.toName);
  const components: MatchComponents = {
    names: {
      ...names,
      namesakes: Math.max(1, namesakes),
      // Only agreement is discounted, and never below nothing.
      weight: nameWeight > 0 ? Math.max(0, nameWeight - commonness) : nameWeight,
    },
    aliases:
      toAlias === 0 && toName === 0
        ? { similarity: Math.max(aliases.toAlias, aliases.toName), against: 'none', weight: 0 }
        : toAlias >= toName
          ? { similarity: aliases.toAlias, against: 'alias', weight: toAlias }
          : { similarity: aliases.toName, against: 'name', weight: toName },
    birth: { ...birth, weight: birth.agreement === 'unknown' ? 0 : weights.birth[birth.agreement] },
    nationality: {
      ...nationality,
      weight: nationality.agreement === 'unknown' ? 0 : weights.nationality[nationality.agreement],
    },
    gender: { ...gender, weight: gender.agreement === 'unknown' ? 0 : weights.gender[gender.agreement] },
    area: { ...area, weight: area.agreement === 'unknown' ? 0 : weights.area[area.agreement] },
  };
  const logOdds = Object.values(components).reduce((sum, c) => sum + c.weight, weights.bias);
  return { score: 1 / (1 + Math.exp(-logOdds)), logOdds, components };
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

function compareNames(a: PreparedPerson, b: PreparedPerson): MatchFindings['names'] {
  const allA = [...a.given, ...a.family];
  const allB = [...b.given, ...b.family];
  if (allA.length === 0 || allB.length === 0) return { similarity: 0, coverage: 'none' };
  const bySound = !(a.fixedSpelling && b.fixedSpelling);
  let similarity: number;
  let coverage: NameCoverage;
  if (a.given.length && a.family.length && b.given.length && b.family.length) {
    // A wrong family name is not made good by a right given name: the weaker part counts more.
    const pair = (x: number, y: number) => 0.6 * Math.min(x, y) + 0.4 * Math.max(x, y);
    const part = (x: NameToken[], y: NameToken[]) =>
      tokenSetSimilarity(x, y, { extraPenalty: 0.03, bySound });
    const straight = pair(part(a.given, b.given), part(a.family, b.family));
    // Given and family names are often swapped (on documents, by whoever writes them down).
    const swapped = pair(part(a.given, b.family), part(a.family, b.given));
    // Or split differently: "Mohamed Ali | Ben Salah" and "Mohamed | Ali Bensalah".
    const whole = tokenSetSimilarity(allA, allB, { extraPenalty: 0.05, bySound }) - 0.02;
    similarity = Math.max(straight, swapped - 0.01, whole);
    coverage = 'full';
  } else {
    // One record holds a given name only (or a family name only): it can agree with either part.
    similarity = tokenSetSimilarity(allA, allB, { bySound });
    coverage = 'partial';
  }
  return { similarity, coverage };
}

function compareAliases(a: PreparedPerson, b: PreparedPerson): MatchFindings['aliases'] {
  const best = (xs: NameToken[], ys: NameToken[]) => {
    let found = 0;
    for (const x of xs) for (const y of ys) found = Math.max(found, tokenSimilarity(x, y));
    return found;
  };
  // A street name said to one partner may be the name written down by another.
  return {
    toAlias: best(a.aliases, b.aliases),
    toName: Math.max(best(a.aliases, b.names), best(b.aliases, a.names)),
  };
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
  return (
    diff.length === 2 && diff[1] === diff[0] + 1 && x[diff[0]] === y[diff[1]] && x[diff[1]] === y[diff[0]]
  );
}

function compareBirth(x: Birth | null, y: Birth | null): MatchFindings['birth'] {
  if (x === null || y === null) return { agreement: 'unknown', yearsApart: null };
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
  return { agreement, yearsApart };
}

// Neighbouring countries are confused in records: a person says one, a document another, an
// operator guesses. Within a region a different nationality is weak evidence of a different person.
const regions = [
  ['MA', 'DZ', 'TN', 'LY', 'EH', 'MR'],
  ['EG', 'SD', 'LY'],
  ['SN', 'GM', 'ML', 'GN', 'GW', 'SL', 'LR', 'CI', 'BF', 'NE', 'MR'],
  ['NG', 'GH', 'TG', 'BJ', 'CM', 'NE'],
  ['ER', 'ET', 'SO', 'SD', 'DJ'],
  ['RO', 'MD', 'UA', 'BG', 'HU', 'RS'],
  ['UA', 'RU', 'BY', 'PL', 'MD', 'LT', 'LV', 'EE', 'GE'],
  ['PL', 'SK', 'CZ', 'UA', 'DE'],
  ['IT', 'SM', 'VA', 'CH'],
  ['PK', 'IN', 'BD', 'AF', 'LK', 'NP'],
];

function compareNationality(a: string | null, b: string | null): NationalityAgreement {
  const known = (n: string | null) => (n === null || n === 'XX' ? null : n);
  const [x, y] = [known(a), known(b)];
  if (x === null || y === null) return 'unknown';
  if (x === y) return 'same';
  return regions.some((r) => r.includes(x) && r.includes(y)) ? 'neighbouring' : 'different';
}

const men = new Set([
  'm',
  'u',
  'uomo',
  'maschio',
  'male',
  'man',
  'homme',
  'masculin',
  'barbat',
  'ragazzo',
  'maschile',
]);
const women = new Set([
  'f',
  'd',
  'donna',
  'femmina',
  'female',
  'woman',
  'femme',
  'feminin',
  'femeie',
  'ragazza',
  'femminile',
]);

/** Self-described gender read as man / woman where the words say so plainly; anything else is not compared. */
export function genderOf(text: string | null): 'man' | 'woman' | null {
  if (text === null) return null;
  const words = genderWords(text);
  // "donna trans", "uomo trans", "non binario": a reading we should not guess at.
  if (words.some((w) => w.startsWith('trans') || w === 'non' || w === 'nb')) return null;
  if (words.length === 1 && men.has(words[0])) return 'man';
  if (words.length === 1 && women.has(words[0])) return 'woman';
  return null;
}

const genderWords = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .split(/[^a-z]+/)
    .filter(Boolean);

/** "Stazione Centrale", "stazione-centrale" and "STAZIONE  CENTRALE " are one area. */
function areaOf(area: string | null): string | null {
  const folded = area
    ?.normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return folded ? folded : null;
}
