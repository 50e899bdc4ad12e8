import { readFileSync } from 'node:fs';

/** VmRSS (now) and VmHWM (peak resident since start) of a process, in MB. */
export function residentMemory(pid: number | 'self'): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export type Row = { measure: string; figure: string; goal?: string; met?: boolean };

const verdict = (row: Row) => (row.met === undefined ? '' : row.met ? 'PASS' : 'MISS');

export function textTable(rows: Row[]): string {
  const cells = [
    ['measure', 'figure', 'goal', ''],
    ...rows.map((r) => [r.measure, r.figure, r.goal ?? '', verdict(r)]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i].length)));
  return cells
    .map((c) =>
      c
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function markdownTable(rows: Row[]): string {
  const escape = (s: string) => s.replaceAll('|', '\\|');
  return [
    '| measure | figure | goal | verdict |',
    '|---|---|---|---|',
    ...rows.map(
      (r) => `| ${escape(r.measure)} | ${escape(r.figure)} | ${escape(r.goal ?? '')} | ${verdict(r)} |`,
    ),
  ].join('\n');
}

export const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
