import type { CountStatus } from './count.entity.js';

/** A count moves forward only: prepared, counted on the night, locked for results, archived. */
export function nextStatusAllowed(from: CountStatus, to: CountStatus): boolean {
  const order: CountStatus[] = ['pre-count', 'active', 'locked', 'archived'];
  return order.indexOf(to) === order.indexOf(from) + 1;
}

/** Aggregates shown to partners hide cells under this many people (architecture.md §5). */
export const smallCell = 5;

export type Cell = { key: number; observed: number; interviewed: number };
export type ShownCell = {
  key: number;
  observed: number | null;
  interviewed: number | null;
  suppressed: boolean;
};

/**
 * Small-cell suppression for partners: a cell of 1 to 4 people is hidden. When the total is shown
 * and only one cell is hidden, the total would give it away: the next smallest cell is hidden too.
 * Zero reveals nobody and is shown.
 */
export function suppressSmallCells(cells: Cell[]): ShownCell[] {
  const hidden = new Set(cells.filter((c) => c.observed > 0 && c.observed < smallCell).map((c) => c.key));
  if (hidden.size === 1) {
    const next = cells
      .filter((c) => !hidden.has(c.key) && c.observed > 0)
      .sort((a, b) => a.observed - b.observed || a.key - b.key)[0];
    if (next) hidden.add(next.key);
  }
  return cells.map((c) =>
    hidden.has(c.key)
      ? { key: c.key, observed: null, interviewed: null, suppressed: true }
      : { key: c.key, observed: c.observed, interviewed: c.interviewed, suppressed: false },
  );
}
