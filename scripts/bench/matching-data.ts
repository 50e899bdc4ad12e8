import type { MatchPerson } from '../../apps/people/src/matching/match-score.js';
import {
  confusableNationalities,
  familyListCoverage,
  nameBooks,
  rareFamilyName,
  streetNames,
  toCyrillic,
  type NameBook,
  type Origin,
} from './matching-names.js';

// A synthetic registry for measuring matching: humans met by several of the 16 partners, each
// partner writing its own record with the errors real records carry. Ground truth: the human
// (cluster) behind each record. Same seed, same records. Unidentified people (a code name and a
// description only) are left out: they carry no name to match on.

export type GeneratedRecord = {
  /** Position in the set: stable across runs of the same seed. */
  index: number;
  clusterId: number;
  origin: Origin;
  organisation: string;
  person: MatchPerson & { nameQuality: 'full' | 'partial' | 'street-name' };
  /** What the generator did to this record, for reading a missed or false match. */
  errors: string[];
};

export type MatchingDataOptions = {
  seed: number;
  records: number;
  /**
   * Records holding a given name only, a family name only or a street name only (12 % of records);
   * default true. Without them the errors are the ones issue 3 names: typos, transliterations,
   * missing birth dates (and swaps, nicknames, dropped accents); the other draws are unchanged.
   */
  partialNames?: boolean;
};

export const organisations = ['cri-milano', 'volontari-milano-aperta', 'casa-della-carita'].concat(
  Array.from({ length: 13 }, (_, i) => `partner-${String(i + 4).padStart(2, '0')}`),
);

/** Mulberry32: small, fast, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Human = {
  clusterId: number;
  book: NameBook;
  sex: 'man' | 'woman';
  given: string[];
  family: string;
  birthDate: string;
  nationality: string;
  streetName: string | null;
  usualArea: string;
};

// The count found 2,343 people in 150 areas of the city (seed 000), crowded around the stations and
// the centre: areas are drawn Zipf-like, the busiest first, so many namesakes share one.
const areas = [
  'stazione-centrale',
  'duomo',
  'porta-garibaldi',
  'cadorna',
  'loreto',
  'lambrate',
  'rogoredo',
  'corvetto',
  'piazzale-lotto',
  'porta-genova',
  'citta-studi',
  'piazza-napoli',
  'certosa',
  'bovisa',
  'piazzale-firenze',
  'abbiategrasso',
  'gratosoglio',
  'baggio',
  ...Array.from({ length: 132 }, (_, i) => `area-${String(i + 19).padStart(3, '0')}`),
];

const keyboardNeighbours: Record<string, string> = {
  a: 'qsz',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'a',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'x',
};

export function generateMatchingData(options: MatchingDataOptions): GeneratedRecord[] {
  const random = seededRandom(options.seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  // Common names are common: the lists run from the most frequent, drawn with Zipf-like weights.
  const zipf = <T>(items: readonly T[], exponent = 0.8): T => {
    const weights = items.map((_, i) => 1 / (i + 1) ** exponent);
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) if ((r -= weights[i]) <= 0) return items[i];
    return items[items.length - 1];
  };
  const weighted = <T>(items: ReadonlyArray<readonly [T, number]>): T => {
    let r = random() * items.reduce((a, [, w]) => a + w, 0);
    for (const [item, w] of items) if ((r -= w) <= 0) return item;
    return items[items.length - 1][0];
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const isoDate = (d: Date) => d.toISOString().slice(0, 10);

  const humans: Human[] = [];
  const bySort = new Map<string, Human[]>();
  const newHuman = (): Human => {
    const book = weighted(nameBooks.map((b) => [b, b.share] as const));
    const sex = chance(book.origin === 'italian' ? 0.18 : 0.1) ? 'woman' : 'man';
    const names = sex === 'man' ? book.male : book.female;
    let given = [zipf(names)];
    if (chance(book.doubleGivenRate)) given.push(pick(names.filter((n) => n !== given[0])));
    let family = chance(familyListCoverage[book.origin])
      ? zipf(book.family)
      : book.origin === 'egyptian' && chance(0.6)
        ? zipf(book.male) // a father's name as family name: Mohamed Ahmed, Ahmed Mahmoud
        : rareFamilyName(book.origin, random);
    // Relatives (a family name shared, a close age) and namesakes (the same name, another person),
    // on top of those that common names make by chance.
    const sameOrigin = bySort.get(`${book.origin}:${sex}`) ?? [];
    const draw = random();
    const relative = sameOrigin.length > 0 && draw < 0.055 ? pick(sameOrigin) : null;
    if (relative) {
      family = relative.family;
      if (draw < 0.015) given = [...relative.given];
    }
    const age = 18 + Math.min(60, Math.abs(normal() * 12 + 22));
    const birth = new Date(Date.UTC(2026, 0, 1) - age * 365.25 * 86_400_000);
    if (relative && draw >= 0.015) {
      const years = Math.round(normal() * 5);
      birth.setUTCFullYear(Number(relative.birthDate.slice(0, 4)) + years);
    }
    const slavicWoman = sex === 'woman' && book.origin === 'eastern-european';
    const usualArea = zipf(areas, 1);
    return {
      clusterId: humans.length,
      book,
      sex,
      given,
      family: slavicWoman ? family.replace(/(ov|ev|in)$/, '$1a').replace(/ski$/, 'ska') : family,
      birthDate: isoDate(birth),
      nationality: weighted(book.nationalities),
      streetName: chance(0.3)
        ? chance(0.4) && book.nicknames.has(given[0])
          ? pick(book.nicknames.get(given[0])!)
          : pick(streetNames)
        : null,
      usualArea,
    };
  };

  const typo = (word: string): string => {
    const letters = [...word];
    const at = 1 + Math.floor(random() * Math.max(1, letters.length - 1));
    const c = letters[at]?.toLowerCase() ?? '';
    switch (Math.floor(random() * 5)) {
      case 0:
        letters[at] = pick([...(keyboardNeighbours[c] ?? 'e')]);
        break;
      case 1:
        letters.splice(at, 1);
        break;
      case 2:
        letters.splice(at, 0, c || 'a');
        break;
      case 3:
        if (at + 1 < letters.length) [letters[at], letters[at + 1]] = [letters[at + 1], letters[at]];
        break;
      default:
        letters.splice(at, 0, pick([...'aeioun']));
    }
    return letters.join('');
  };
  const stripAccents = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '');

  /** One partner's spelling of a name: another transliteration, accents dropped, a slip, a case. */
  const spell = (name: string, book: NameBook, errors: string[]): string => {
    let out = name;
    const variants = book.variants.get(name);
    if (variants && chance(book.variantRate)) {
      out = pick(variants);
      errors.push(`variant ${name}→${out}`);
    }
    if (stripAccents(out) !== out && chance(0.65)) {
      out = stripAccents(out);
      errors.push('accents dropped');
    } else if (book.origin === 'west-african' && /[aeo]$/.test(out) && chance(0.04)) {
      out = out.slice(0, -1) + { a: 'à', e: 'è', o: 'ò' }[out.slice(-1) as 'a' | 'e' | 'o'];
      errors.push('accent added');
    }
    if (out.replace(/[^a-z]/gi, '').length > 3 && chance(0.07)) {
      out = typo(out);
      errors.push(`typo ${out}`);
    }
    if (chance(0.12)) out = out.toUpperCase();
    return out;
  };

  const records: GeneratedRecord[] = [];
  const perHuman = [
    [1, 0.5],
    [2, 0.27],
    [3, 0.13],
    [4, 0.06],
    [5, 0.03],
    [6, 0.01],
  ] as const;
  const organisationWeights = organisations.map((o, i) => [o, 1 / (1 + i * 0.15)] as const);
  while (records.length < options.records) {
    const human = newHuman();
    humans.push(human);
    const sort = `${human.book.origin}:${human.sex}`;
    if (!bySort.has(sort)) bySort.set(sort, []);
    bySort.get(sort)!.push(human);
    const count = Math.min(weighted(perHuman), options.records - records.length);
    const seenBy: string[] = [];
    for (let n = 0; n < count; n++) {
      // Mostly another partner; sometimes the same one registers the person again.
      let organisation = weighted(organisationWeights);
      while (seenBy.includes(organisation) && !chance(0.1)) organisation = weighted(organisationWeights);
      seenBy.push(organisation);
      records.push(recordOf(human, organisation, records.length));
    }
  }
  return records;

  function recordOf(human: Human, organisation: string, index: number): GeneratedRecord {
    const { book } = human;
    const errors: string[] = [];
    let given: string | null = human.given
      .filter((_, i) => i === 0 || !chance(0.35))
      .map((g) => spell(g, book, errors))
      .join(' ');
    if (human.given.length > 1 && !given.includes(' ')) errors.push('second given name dropped');
    let family: string | null = spell(human.family, book, errors);
    const aliases: MatchPerson['aliases'][number][] = [];
    if (human.streetName && chance(0.55)) {
      const street = chance(0.05) ? typo(human.streetName) : human.streetName;
      aliases.push({ name: chance(0.3) ? street.toLowerCase() : street, kind: 'street-name' });
    }
    let nameQuality: GeneratedRecord['person']['nameQuality'] = 'full';
    // Without partial names the shape is drawn past their share, so the other shapes keep their rates.
    const shape = options.partialNames === false ? 0.12 + random() * 0.88 : random();
    if (shape < 0.08) {
      // Given name only, at a first contact: usually with the name the street knows the person by.
      family = null;
      nameQuality = 'partial';
      errors.push('given name only');
      if (human.streetName && aliases.length === 0 && chance(0.7)) {
        aliases.push({ name: human.streetName, kind: 'street-name' });
      }
    } else if (shape < 0.1) {
      given = null;
      nameQuality = 'partial';
      errors.push('family name only');
    } else if (shape < 0.12 && human.streetName) {
      given = family = null;
      aliases.splice(0, aliases.length, { name: human.streetName, kind: 'street-name' });
      nameQuality = 'street-name';
      errors.push('street name only');
    } else if (shape < 0.12 + (book.origin === 'italian' ? 0.06 : 0.12)) {
      [given, family] = [family, given];
      errors.push('given and family swapped');
    } else if (shape < 0.26 && book.nicknames.has(human.given[0])) {
      given = pick(book.nicknames.get(human.given[0])!);
      errors.push(`nickname as given name ${given}`);
    }
    if (book.origin === 'eastern-european' && given && family && chance(0.04)) {
      [given, family] = [toCyrillic(stripAccents(given)), toCyrillic(stripAccents(family))];
      errors.push('written in Cyrillic');
    }

    // A registration date in the last six years: ages are estimated on it.
    const registeredOn = new Date(Date.UTC(2020, 0, 1) + random() * 6 * 365 * 86_400_000);
    const trueAge = (registeredOn.getTime() - Date.parse(human.birthDate)) / (365.25 * 86_400_000);
    const birth = random();
    let birthDate: string | null = null;
    let birthDateQuality: MatchPerson['birthDateQuality'] = 'unknown';
    let estimatedAge: number | null = null;
    let estimatedAgeOn: string | null = null;
    if (birth < 0.55) {
      birthDate = human.birthDate;
      birthDateQuality = 'full';
      const slip = random();
      const [y, m, d] = birthDate.split('-');
      if (slip < 0.02 && Number(d) <= 12 && d !== m) {
        birthDate = `${y}-${d}-${m}`;
        errors.push('day and month swapped');
      } else if (slip < 0.04) {
        const digits = [...birthDate.replaceAll('-', '')];
        const at = pick([2, 3, 5, 7]);
        digits[at] = String((Number(digits[at]) + 1) % 10);
        const candidate = `${digits.slice(0, 4).join('')}-${digits.slice(4, 6).join('')}-${digits.slice(6).join('')}`;
        // A real date only: the registry refuses 31 June.
        const parsed = new Date(`${candidate}T00:00:00Z`);
        if (!Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(candidate)) {
          birthDate = candidate;
          errors.push('birth date digit slipped');
        }
      }
    } else if (birth < 0.65) {
      const year = Number(human.birthDate.slice(0, 4)) + Math.round(normal() * 0.8);
      birthDate = `${year}-01-01`;
      birthDateQuality = 'approximate';
      errors.push('approximate birth date');
    } else if (birth < 0.87) {
      // Life outside ages people: estimates run high.
      estimatedAge = Math.max(16, Math.round(trueAge + 1 + normal() * 3.5));
      estimatedAgeOn = isoDate(registeredOn);
      errors.push('estimated age');
    } else {
      birthDateQuality = chance(0.3) ? 'refused' : 'unknown';
      errors.push('no birth date');
    }

    const nationalityDraw = random();
    let nationality: string | null = human.nationality;
    if (nationalityDraw < 0.1) nationality = null;
    else if (nationalityDraw < 0.14 && confusableNationalities[human.nationality]) {
      nationality = pick(confusableNationalities[human.nationality]);
      errors.push('other nationality');
    }
    // Not always written down, and not always where the person usually stays: met elsewhere, moved
    // (records span six years), or a partner's own idea of the area.
    const areaDraw = random();
    let usualArea: string | null = null;
    if (areaDraw < 0.6) usualArea = human.usualArea;
    else if (areaDraw < 0.8) {
      usualArea = zipf(areas, 1);
      if (usualArea !== human.usualArea) errors.push('another area');
    } else errors.push('no area');
    const words =
      human.sex === 'man'
        ? ['uomo', 'maschio', 'M', 'man', 'Uomo', 'male']
        : ['donna', 'femmina', 'F', 'woman', 'Donna'];
    return {
      index,
      clusterId: human.clusterId,
      origin: book.origin,
      organisation,
      person: {
        givenName: given,
        familyName: family,
        nameQuality,
        aliases,
        birthDate,
        birthDateQuality,
        estimatedAge,
        estimatedAgeOn,
        nationality,
        gender: chance(0.9) ? pick(words) : null,
        usualArea,
      },
      errors,
    };
  }
}
