import { describe, expect, it } from '@jest/globals';
import { nextStatusAllowed, suppressSmallCategories, suppressSmallCells } from './count.rules.js';

describe('a count’s status', () => {
  it('moves one step forward at a time, never back', () => {
    expect(nextStatusAllowed('pre-count', 'active')).toBe(true);
    expect(nextStatusAllowed('active', 'locked')).toBe(true);
    expect(nextStatusAllowed('locked', 'archived')).toBe(true);
    expect(nextStatusAllowed('pre-count', 'locked')).toBe(false);
    expect(nextStatusAllowed('locked', 'active')).toBe(false);
  });
});

describe('small-cell suppression', () => {
  const cell = (key: number, observed: number) => ({ key, observed, interviewed: Math.floor(observed / 2) });

  it('hides cells of 1 to 4 people and shows zeros and larger cells', () => {
    // given districts with 0, 3, 4, 12 and 40 people
    const shown = suppressSmallCells([cell(1, 0), cell(2, 3), cell(3, 4), cell(4, 12), cell(5, 40)]);
    // then 3 and 4 are hidden, the rest shown as they are
    expect(shown.map((c) => c.observed)).toEqual([0, null, null, 12, 40]);
    expect(shown[1]).toEqual({ key: 2, observed: null, interviewed: null, suppressed: true });
  });

  it('hides a second cell when one alone would follow from the total', () => {
    // given one small district among larger ones
    const shown = suppressSmallCells([cell(1, 2), cell(2, 30), cell(3, 9), cell(4, 0)]);
    // then the next smallest non-empty district is hidden with it
    expect(shown.map((c) => c.observed)).toEqual([null, 30, null, 0]);
  });
});

describe('small-cell suppression of a breakdown', () => {
  it('hides small categories, and the next smallest when one alone would follow from the total', () => {
    // given a count's people by sex, with 2 of another sex
    const shown = suppressSmallCategories({ men: 180, women: 31, other: 2, unknown: 0 });
    // then those 2 are hidden, and the women with them; the zero is shown
    expect(shown).toEqual({ men: 180, women: null, other: null, unknown: 0 });
  });

  it('shows a breakdown with no small category as it is', () => {
    expect(suppressSmallCategories({ men: 40, women: 12, other: 0, unknown: 5 })).toEqual({
      men: 40,
      women: 12,
      other: 0,
      unknown: 5,
    });
  });
});
