import { describe, expect, it } from '@jest/globals';
import { runHealthChecks } from './health.checks.js';

describe('runHealthChecks', () => {
  it('is ready when every check resolves', async () => {
    const report = await runHealthChecks({ database: async () => {}, nats: async () => {} }, 1_000);
    expect(report).toEqual({ ready: true, checks: { database: 'ok', nats: 'ok' }, errors: {} });
  });

  it('names the checks that failed, threw or hung, and keeps their errors apart', async () => {
    const refused = new Error('connect ECONNREFUSED 10.0.0.7:5432');
    const report = await runHealthChecks(
      {
        database: async () => Promise.reject(refused),
        nats: () => new Promise<void>(() => {}),
        cache: () => {
          throw new Error('not configured');
        },
        keys: async () => {},
      },
      50,
    );
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual({ database: 'failed', nats: 'timed-out', cache: 'failed', keys: 'ok' });
    expect(report.errors.database).toBe(refused);
    expect(Object.keys(report.errors).sort()).toEqual(['cache', 'database']);
  });

  it('runs the checks side by side: two hung checks cost one timeout, not two', async () => {
    const hung = () => new Promise<void>(() => {});
    const started = performance.now();
    await runHealthChecks({ a: hung, b: hung, c: hung }, 300);
    expect(performance.now() - started).toBeLessThan(800);
  });
});
