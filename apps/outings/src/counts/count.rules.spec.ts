import { describe, expect, it } from '@jest/globals';
import { nextStatusAllowed, suppressSmallCells } from './count.rules.js';

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
