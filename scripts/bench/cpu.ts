import { readdirSync, readFileSync } from 'node:fs';

// CPU time from /proc in clock ticks (USER_HZ = 100 on Linux: 10 ms resolution). On 2 cores shared
// by everything, CPU spent per request says where throughput goes better than wall-clock timings.
const tickMs = 10;

export function processTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** PostgreSQL backends serving one of `databases` (their process title names the database). */
export function backendTicks(databases: string[]): number {
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

/** The local nats-server's process, if NATS runs here. */
export function natsServerPid(): number | null {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nats-server') return Number(pid);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return null;
}

/** More of the machine, named, read with processTicks or backendTicks: what "rest" is made of. */
export type OtherTicks = Record<string, () => number>;

export type CpuSnapshot = {
  at: number;
  busy: number;
  /** Time the hypervisor gave this machine's cores to someone else (steal). */
  stolen: number;
  total: number;
  app: number;
  postgres: number;
  bench: number;
  others: Record<string, number>;
};

export function cpuSnapshot(
  appPid: number | null,
  databases: string[],
  others: OtherTicks = {},
): CpuSnapshot {
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = machine.reduce((a, b) => a + b, 0);
  return {
    at: performance.now(),
    // Minus idle, iowait and steal: stolen time is the host's, not work done here.
    busy: total - machine[3] - machine[4] - machine[7],
    stolen: machine[7],
    total,
    app: appPid === null ? 0 : processTicks(appPid),
    postgres: backendTicks(databases),
    bench: processTicks('self'),
    others: Object.fromEntries(Object.entries(others).map(([name, ticks]) => [name, ticks()])),
  };
}

export type CpuPerOperation = {
  app: number;
  postgres: number;
  bench: number;
  others: Record<string, number>;
  rest: number;
  /** Per operation, the time the host took the cores away: on a shared machine, the noise. */
  stolen: number;
  machineBusyPercent: number;
};

/** CPU milliseconds per operation by process group between two snapshots, and how busy the machine was. */
export function cpuPerOperation(
  before: CpuSnapshot,
  after: CpuSnapshot,
  operations: number,
): CpuPerOperation {
  const per = (ticks: number) => (ticks * tickMs) / operations;
  const others = Object.keys(before.others).map(
    (name) => [name, after.others[name] - before.others[name]] as const,
  );
  const ours =
    after.app -
    before.app +
    (after.postgres - before.postgres) +
    (after.bench - before.bench) +
    others.reduce((sum, [, ticks]) => sum + ticks, 0);
  return {
    app: per(after.app - before.app),
    postgres: per(after.postgres - before.postgres),
    bench: per(after.bench - before.bench),
    others: Object.fromEntries(others.map(([name, ticks]) => [name, per(ticks)])),
    rest: per(after.busy - before.busy - ours),
    stolen: per(after.stolen - before.stolen),
    machineBusyPercent: (100 * (after.busy - before.busy)) / (after.total - before.total),
  };
}
