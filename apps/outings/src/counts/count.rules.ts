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
 * The cells to hide from partners: those of 1 to 4 people. When the total is shown and only one cell
 * is hidden, the total would give it away: the next smallest cell is hidden too. Zero reveals nobody
 * and is shown.
 */
function hiddenKeys<K>(sizes: Array<{ key: K; people: number }>, order: (a: K, b: K) => number): Set<K> {
  const hidden = new Set(sizes.filter((c) => c.people > 0 && c.people < smallCell).map((c) => c.key));
  if (hidden.size === 1) {
    const next = sizes
      .filter((c) => !hidden.has(c.key) && c.people > 0)
      .sort((a, b) => a.people - b.people || order(a.key, b.key))[0];
    if (next) hidden.add(next.key);
  }
  return hidden;
}

/** Small-cell suppression of the results by Municipio, for partners. */
export function suppressSmallCells(cells: Cell[]): ShownCell[] {
  const hidden = hiddenKeys(
    cells.map((c) => ({ key: c.key, people: c.observed })),
    (a, b) => a - b,
  );
  return cells.map((c) =>
    hidden.has(c.key)
      ? { key: c.key, observed: null, interviewed: null, suppressed: true }
      : { key: c.key, observed: c.observed, interviewed: c.interviewed, suppressed: false },
  );
}

/** The same suppression over one breakdown of the total (by sex, by age band), for partners. */
export function suppressSmallCategories<K extends string>(
  counts: Record<K, number>,
): Record<K, number | null> {
  const entries = Object.entries(counts) as Array<[K, number]>;
  const hidden = hiddenKeys(
    entries.map(([key, people]) => ({ key, people })),
    (a, b) => entries.findIndex(([k]) => k === a) - entries.findIndex(([k]) => k === b),
  );
  return Object.fromEntries(entries.map(([key, people]) => [key, hidden.has(key) ? null : people])) as Record<
    K,
    number | null
  >;
}
