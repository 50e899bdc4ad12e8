import { describe, expect, it } from '@jest/globals';
import {
  defaultMatchThreshold,
  defaultMatchWeights,
  genderOf,
  matchFindings,
  matchScore,
  scoreCandidates,
  weighFindings,
  type MatchPerson,
} from './match-score.js';

const person = (overrides: Partial<MatchPerson> = {}): MatchPerson => ({
  givenName: 'Ionuț',
  familyName: 'Popescu',
  aliases: [],
  birthDate: '1979-03-14',
  birthDateQuality: 'full',
  estimatedAge: null,
  estimatedAgeOn: null,
  nationality: 'RO',
  gender: 'uomo',
  usualArea: null,
  ...overrides,
});
const proposed = (a: MatchPerson, b: MatchPerson) => matchScore(a, b).score >= defaultMatchThreshold;

describe('scoring two records of one person', () => {
  it('given the same record, then the score is near 1 and every field agrees', () => {
    const { score, components } = matchScore(person(), person());
    expect(score).toBeGreaterThan(0.99);
    expect(components.names).toMatchObject({ similarity: 1, coverage: 'full' });
    expect(components.birth.agreement).toBe('same-date');
    expect(components.nationality.agreement).toBe('same');
    expect(components.gender.agreement).toBe('same');
  });

  it('given the score, then it lies in [0, 1] and is the logistic of the summed log-odds', () => {
    const { score, logOdds, components } = matchScore(person(), person({ familyName: 'Ionescu' }));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(score).toBeCloseTo(1 / (1 + Math.exp(-logOdds)), 10);
    expect(Object.values(components).every((c) => Number.isFinite(c.weight))).toBe(true);
  });

  it('given either order of comparison, then the score is the same', () => {
    const a = person({ givenName: 'Mohamed', familyName: 'El Amrani', nationality: 'MA' });
    const b = person({
      givenName: 'Muhammad',
      familyName: 'Amrani',
      birthDate: null,
      birthDateQuality: 'unknown',
    });
    expect(matchScore(a, b).score).toBeCloseTo(matchScore(b, a).score, 10);
  });

  it('given accents dropped and a typo, then it is proposed', () => {
    expect(proposed(person(), person({ givenName: 'Ionut', familyName: 'Popsecu' }))).toBe(true);
  });

  it('given given and family names swapped, then it is proposed', () => {
    expect(proposed(person(), person({ givenName: 'Popescu', familyName: 'Ionuț' }))).toBe(true);
  });

  it('given Arabic names in another transliteration and no birth date, then it is proposed', () => {
    const a = person({
      givenName: 'Youssef',
      familyName: 'Belkacem',
      nationality: 'DZ',
      birthDate: '1990-02-01',
    });
    const b = person({
      givenName: 'Yusuf',
      familyName: 'Belgacem',
      nationality: 'DZ',
      birthDate: null,
      birthDateQuality: 'unknown',
    });
    expect(proposed(a, b)).toBe(true);
  });

  it('given West African spellings and a neighbouring nationality, then it is proposed', () => {
    const a = person({
      givenName: 'Mamadou',
      familyName: 'Diallo',
      nationality: 'GN',
      birthDate: '1988-06-01',
    });
    const b = person({
      givenName: 'Mamadu',
      familyName: 'Jallo',
      nationality: 'SN',
      birthDate: '1988-06-01',
    });
    expect(matchScore(a, b).components.nationality.agreement).toBe('neighbouring');
    expect(proposed(a, b)).toBe(true);
  });

  it('given a birth date against an estimated age within a few years, then they are compatible', () => {
    const b = person({
      birthDate: null,
      birthDateQuality: 'unknown',
      estimatedAge: 44,
      estimatedAgeOn: '2025-05-01',
    });
    const { components } = matchScore(person(), b);
    expect(components.birth).toMatchObject({ agreement: 'compatible', yearsApart: 2 });
    expect(components.birth.weight).toBeGreaterThan(0);
  });

  it('given an estimated age without the date of the estimate, then birth says nothing', () => {
    const b = person({ birthDate: null, birthDateQuality: 'unknown', estimatedAge: 44 });
    expect(matchScore(person(), b).components.birth).toMatchObject({ agreement: 'unknown', weight: 0 });
  });

  it('given day and month read the other way round, then the dates nearly agree', () => {
    const a = person({ birthDate: '1979-03-04' });
    expect(matchScore(a, person({ birthDate: '1979-04-03' })).components.birth.agreement).toBe('near-date');
    expect(matchScore(a, person({ birthDate: '1978-03-04' })).components.birth.agreement).toBe('near-date');
  });

  it('given a given name only and the same street name, then it is proposed', () => {
    const a = person({ aliases: [{ name: 'Johnny', kind: 'street-name' }] });
    const b = person({
      familyName: null,
      aliases: [{ name: 'johnny', kind: 'street-name' }],
      birthDate: null,
      birthDateQuality: 'unknown',
      estimatedAge: 45,
      estimatedAgeOn: '2025-01-10',
    });
    const { components } = matchScore(a, b);
    expect(components.names.coverage).toBe('partial');
    expect(components.aliases.against).toBe('alias');
    expect(proposed(a, b)).toBe(true);
  });

  it('given the usual area written two ways, then it is the same area and weighs for', () => {
    const a = person({ usualArea: 'Stazione Centrale' });
    const b = person({ usualArea: 'stazione-centrale ' });
    expect(matchScore(a, b).components.area).toEqual({
      agreement: 'same',
      weight: defaultMatchWeights.area.same,
    });
    expect(defaultMatchWeights.area.same).toBeGreaterThan(0);
    expect(matchScore(a, person()).components.area).toEqual({ agreement: 'unknown', weight: 0 });
  });

  it('given a street name written down as the given name by another partner, then it counts', () => {
    const a = person({ aliases: [{ name: 'Johnny', kind: 'street-name' }] });
    const b = person({ givenName: 'Johnny', familyName: null, birthDate: null, birthDateQuality: 'unknown' });
    expect(matchScore(a, b).components.aliases.against).toBe('name');
  });
});

describe('scoring records of different people', () => {
  it('given the same common name and birth dates years apart, then it is not proposed', () => {
    const a = person({
      givenName: 'Mamadou',
      familyName: 'Diallo',
      nationality: 'GN',
      birthDate: '1988-06-01',
    });
    const b = { ...a, birthDate: '1971-11-20' };
    expect(matchScore(a, b).components.birth.agreement).toBe('different');
    expect(proposed(a, b)).toBe(false);
  });

  it('given the same given name and another family name, then it is not proposed', () => {
    expect(proposed(person(), person({ familyName: 'Ionescu', birthDate: '1983-10-02' }))).toBe(false);
  });

  it('given another family name but the same exact birth date, then a reviewer is asked', () => {
    // One chance in thousands that two people share given name, nationality and birth date.
    expect(proposed(person(), person({ familyName: 'Ionescu' }))).toBe(true);
  });

  it('given Italians named Rossi and Russo, then the names are not taken for one', () => {
    const a = person({
      givenName: 'Bruno',
      familyName: 'Rossi',
      nationality: 'IT',
      birthDate: null,
      birthDateQuality: 'unknown',
    });
    expect(proposed(a, { ...a, familyName: 'Russo' })).toBe(false);
  });

  it('given a man and a woman with the same name and nothing else alike, then it is not proposed', () => {
    // Self-described gender may change between records; it weighs against, it does not veto.
    const a = person({
      givenName: 'Andrea',
      familyName: 'Rossi',
      nationality: 'IT',
      birthDate: null,
      birthDateQuality: 'unknown',
    });
    expect(matchScore(a, { ...a, gender: 'donna' }).components.gender.agreement).toBe('different');
    expect(proposed(a, { ...a, gender: 'donna' })).toBe(false);
  });

  it('given nationalities of different regions, then it weighs against', () => {
    expect(matchScore(person(), person({ nationality: 'NG' })).components.nationality).toMatchObject({
      agreement: 'different',
    });
    expect(matchScore(person(), person({ nationality: 'NG' })).components.nationality.weight).toBeLessThan(0);
  });

  it('given another usual area, then it weighs a little against: people move', () => {
    const area = matchScore(person({ usualArea: 'duomo' }), person({ usualArea: 'lambrate' })).components
      .area;
    expect(area.agreement).toBe('different');
    expect(area.weight).toBeLessThan(0);
    expect(area.weight).toBeGreaterThan(defaultMatchWeights.nationality.different);
  });

  it('given different street names, then that is no evidence either way', () => {
    const a = person({ aliases: [{ name: 'Rasta', kind: 'street-name' }] });
    const b = person({ aliases: [{ name: 'Capitano', kind: 'street-name' }] });
    expect(matchScore(a, b).components.aliases.weight).toBe(0);
  });

  it('given a record without any name, then names weigh nothing', () => {
    const b = person({
      givenName: null,
      familyName: null,
      aliases: [{ name: 'Rasta', kind: 'street-name' }],
    });
    expect(matchScore(person(), b).components.names).toMatchObject({ coverage: 'none', weight: 0 });
  });
});

describe('scoring the candidates of one record', () => {
  it('given a name many candidates bear, then it is worth less than a name one bears', () => {
    const looked = person({
      givenName: 'Mamadou',
      familyName: 'Diallo',
      nationality: 'GN',
      birthDate: null,
      birthDateQuality: 'unknown',
    });
    const alone = scoreCandidates(looked, [looked]);
    const crowd = scoreCandidates(
      looked,
      Array.from({ length: 12 }, () => looked),
    );
    expect(alone[0].match.components.names.namesakes).toBe(1);
    expect(crowd[0].match.components.names.namesakes).toBe(12);
    expect(crowd[0].match.score).toBeLessThan(alone[0].match.score);
  });

  it('given candidates with other names, then they are no namesakes', () => {
    const scored = scoreCandidates(person(), [
      person(),
      person({ givenName: 'Vasile', familyName: 'Lungu' }),
    ]);
    expect(scored.map((s) => s.match.components.names.namesakes)).toEqual([1, 1]);
    expect(scored[0].match.score).toBeCloseTo(matchScore(person(), person()).score, 10);
  });
});

describe('weighing findings', () => {
  it('given other weights, then the same findings weigh differently', () => {
    const findings = matchFindings(person(), person());
    const stricter = weighFindings(findings, { ...defaultMatchWeights, bias: defaultMatchWeights.bias - 10 });
    expect(stricter.logOdds).toBeCloseTo(weighFindings(findings).logOdds - 10, 10);
  });
});

describe('reading self-described gender', () => {
  it('given plain words, then man or woman; given anything else, nothing is guessed', () => {
    expect(genderOf('uomo')).toBe('man');
    expect(genderOf('Maschio')).toBe('man');
    expect(genderOf('F')).toBe('woman');
    expect(genderOf('donna')).toBe('woman');
    expect(genderOf('donna trans')).toBeNull();
    expect(genderOf('non binario')).toBeNull();
    expect(genderOf(null)).toBeNull();
  });
});
