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

/** Runs every check at once, each bounded by `timeoutMs`, so one hung dependency cannot hang the probe. */
export async function runHealthChecks(checks: HealthChecks, timeoutMs: number): Promise<HealthReport> {
  const report: HealthReport = { ready: true, checks: {}, errors: {} };
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), timeoutMs);
      });
      try {
        // Promise.resolve().then(): a check that throws synchronously fails like one that rejects.
        const outcome = await Promise.race([Promise.resolve().then(check), deadline]);
        report.checks[name] = outcome === timedOut ? 'timed-out' : 'ok';
      } catch (error) {
        report.checks[name] = 'failed';
        report.errors[name] = error;
      } finally {
        clearTimeout(timer);
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
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      return [name, await Promise.race([Promise.resolve().then(counter), deadline])] as const;
    } catch {
      return [name, null] as const;
    } finally {
      clearTimeout(timer);
    }
  };
  return Object.fromEntries(await Promise.all(Object.entries(counters).map(read)));
}
