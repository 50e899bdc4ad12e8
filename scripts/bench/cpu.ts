import { readdirSync, readFileSync } from 'node:fs';

// CPU time from /proc in clock ticks (USER_HZ = 100 on Linux: 10 ms resolution). On 2 cores shared
// by everything, CPU spent per request says where throughput goes better than wall-clock timings.
const tickMs = 10;

function processTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** PostgreSQL backends serving one of `databases` (their process title names the database). */
function backendTicks(databases: string[]): number {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && databases.some((db) => title.includes(` ${db} `)))
        sum += processTicks(Number(pid));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return sum;
}

export type CpuSnapshot = {
  at: number;
  busy: number;
  total: number;
  app: number;
  postgres: number;
  bench: number;
};

export function cpuSnapshot(appPid: number | null, databases: string[]): CpuSnapshot {
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = machine.reduce((a, b) => a + b, 0);
  return {
    at: performance.now(),
    busy: total - machine[3] - machine[4], // minus idle and iowait
    total,
    app: appPid === null ? 0 : processTicks(appPid),
    postgres: backendTicks(databases),
    bench: processTicks('self'),
  };
}

export type CpuPerOperation = {
  app: number;
  postgres: number;
  bench: number;
  rest: number;
  machineBusyPercent: number;
};

/** CPU milliseconds per operation by process group between two snapshots, and how busy the machine was. */
export function cpuPerOperation(
  before: CpuSnapshot,
  after: CpuSnapshot,
  operations: number,
): CpuPerOperation {
  const per = (ticks: number) => (ticks * tickMs) / operations;
  const ours = after.app - before.app + (after.postgres - before.postgres) + (after.bench - before.bench);
  return {
    app: per(after.app - before.app),
    postgres: per(after.postgres - before.postgres),
    bench: per(after.bench - before.bench),
    rest: per(after.busy - before.busy - ours),
    machineBusyPercent: (100 * (after.busy - before.busy)) / (after.total - before.total),
  };
}
