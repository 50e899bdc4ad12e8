/** A readiness check: resolves when the dependency answers, rejects (or hangs) when it does not. */
export type HealthCheck = () => Promise<void>;
export type HealthChecks = Record<string, HealthCheck>;
export type CheckOutcome = 'ok' | 'failed' | 'timed-out';

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
