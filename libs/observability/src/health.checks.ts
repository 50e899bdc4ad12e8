/** A readiness check: resolves when the dependency answers, rejects (or hangs) when it does not. */
export type HealthCheck = () => Promise<void>;
export type HealthChecks = Record<string, HealthCheck>;
export type CheckOutcome = 'ok' | 'failed' | 'timed-out';
/**
 * Figures readiness reports but is never decided by: messages parked in the dead-letter stream need
 * someone's attention, and taking the replica out of service would not give it.
 */
export type HealthCounters = Record<string, () => Promise<number>>;

export type HealthReport = {
  ready: boolean;
  checks: Record<string, CheckOutcome>;
  /** Why each failed check failed: for the server's log only, never for the (public) response. */
  errors: Record<string, unknown>;
};

const timedOut = Symbol('timed out');

/**
 * `work`'s result, or `timedOut` if it has not settled within `timeoutMs`. Promise.resolve().then():
 * work that throws synchronously fails like work that rejects.
 */
async function within<T>(work: () => Promise<T>, timeoutMs: number): Promise<T | typeof timedOut> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by `timeoutMs`, so one hung dependency cannot hang the probe. */
export async function runHealthChecks(checks: HealthChecks, timeoutMs: number): Promise<HealthReport> {
  const report: HealthReport = { ready: true, checks: {}, errors: {} };
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        report.checks[name] = (await within(check, timeoutMs)) === timedOut ? 'timed-out' : 'ok';
      } catch (error) {
        report.checks[name] = 'failed';
        report.errors[name] = error;
      }
      if (report.checks[name] !== 'ok') report.ready = false;
    }),
  );
  return report;
}

/** Each counter, bounded by `timeoutMs`; one that fails or does not answer in time reads null. */
export async function readCounters(
  counters: HealthCounters,
  timeoutMs: number,
): Promise<Record<string, number | null>> {
  const read = async ([name, counter]: [string, () => Promise<number>]) => {
    const value = await within(counter, timeoutMs).catch(() => null);
    return [name, value === timedOut ? null : value] as const;
  };
  return Object.fromEntries(await Promise.all(Object.entries(counters).map(read)));
}
