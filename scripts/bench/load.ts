import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { aRegistration } from './registration.js';

/** The people app's URL and one token per simulated user (fetched once, before any load). */
export type Target = { url: string; tokens: string[] };

const path = '/people/persons';
const body = () => JSON.stringify(aRegistration());
const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export type Request = { method: string; path: string; body: string };

const aRegistrationRequest = (): Request => ({ method: 'POST', path, body: body() });

/**
 * Closed loop: each connection sends the next request (next user) as soon as the last is answered;
 * by default a person's registration.
 */
export async function maxThroughput(
  target: Target,
  connections: number,
  seconds: number,
  request: () => Request = aRegistrationRequest,
) {
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: target.tokens.map((token) => ({
      headers: headers(token),
      setupRequest: (sent) => ({ ...sent, ...request() }),
    })),
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  return {
    connections,
    completed: result['2xx'],
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed,
  };
}

/**
 * Open loop at a fixed rate: request i is due at start + i/rate whatever happened to the others,
 * and its latency counts from when it was due, so a stall shows in the percentiles instead of
 * silently lowering the rate (coordinated omission). Not autocannon's `overallRate`: in autocannon 8
 * each connection sends its per-second quota back to back, then idles until the next second, so the
 * "fixed rate" is a burst at full speed; and its latency correction uses a 1 ms expected interval.
 */
export async function openLoop(
  target: Target,
  rate: number,
  seconds: number,
  {
    onCreated = () => undefined,
    request = aRegistrationRequest,
    warmupSeconds = 0,
  }: {
    /** `warmup`: the request was one of the warm-up's, not counted in the figures. */
    onCreated?: (id: string, respondedAt: number, warmup: boolean) => void;
    /** What request i is; by default a person's registration. It must answer 201 with the id. */
    request?: (i: number) => Request;
    /**
     * Seconds at the same rate before the measured `seconds`, reported apart (`warmup`): they absorb
     * what a maximum run just before leaves behind (its garbage's major GC, the relay's backlog), so
     * the percentiles describe the fixed rate itself.
     */
    warmupSeconds?: number;
  } = {},
) {
  const latencies: number[] = [];
  const warmupLatencies: number[] = [];
  const sentAt: number[] = [];
  // How late this process sent each request (its own timers, GC): a stall here is not the app's.
  const lags: number[] = [];
  let failed = 0;
  // Why requests failed: the status, or the client's error (reset, timeout...), with their counts.
  const failures: Record<string, number> = {};
  const fail = (reason: string) => {
    failed += 1;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  const inFlight: Array<Promise<void>> = [];
  // undici's own request API, not fetch: fetch took about 1 ms of CPU per request in this process,
  // a tenth of the machine at 200 req/s, taken from the app it measures (bench/README.md). The pool
  // opens as many connections as requests in flight, as fetch's global agent does.
  const pool = new Pool(target.url);
  // The measured part starts after the warm-up, whose requests have negative indexes.
  const start = performance.now() + 20 + warmupSeconds * 1000;
  const first = -Math.round(rate * warmupSeconds);
  const total = Math.round(rate * seconds);
  for (let i = first; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    const { method, path: to, body: payload } = request(i - first);
    const lag = performance.now() - due;
    const send = pool
      .request({
        method: method as 'POST' | 'PUT',
        path: to,
        headers: headers(target.tokens[(i - first) % target.tokens.length]),
        body: payload,
      })
      .then(async (response) => {
        const respondedAt = performance.now();
        if (response.statusCode !== 201) {
          await response.body.dump();
          return fail(`HTTP ${response.statusCode}`);
        }
        const created = (await response.body.json()) as { id?: string };
        if (!created.id) return fail('HTTP 201 without an id');
        onCreated(created.id, respondedAt, i < 0);
        if (i < 0) return void warmupLatencies.push(respondedAt - due);
        latencies.push(respondedAt - due);
        sentAt.push(due - start);
        lags.push(lag);
      })
      .catch((error: Error) => fail(String((error.cause as Error | undefined)?.message ?? error.message)));
    inFlight.push(send);
  }
  await Promise.all(inFlight);
  await pool.close();
  const elapsed = (performance.now() - start) / 1000;
  const p99 = percentile(latencies, 99);
  return {
    target: rate,
    achieved: latencies.length / elapsed,
    /** Requests that succeeded, the warm-up's included. */
    completed: latencies.length + warmupLatencies.length,
    p50: percentile(latencies, 50),
    p99,
    failed,
    // Of the failed, those the app refused because it was overloaded (503, libs/http load shedding).
    refused: failures['HTTP 503'] ?? 0,
    failures,
    warmup: {
      seconds: warmupSeconds,
      p50: percentile(warmupLatencies, 50),
      p99: percentile(warmupLatencies, 99),
    },
    sendLagP99: percentile(lags, 99),
    // The start on the epoch (ms): to line the slowest requests up with an app's GC log (--trace-gc).
    startEpoch: performance.timeOrigin + start,
    // When the slowest 1 % were due (ms after the start): evenly spread, or in bursts (a stall)?
    slowest: latencies
      .map((ms, i) => ({ dueMs: Math.round(sentAt[i]), ms: Math.round(ms), sendLagMs: Math.round(lags[i]) }))
      .filter((sample) => sample.ms >= p99)
      .sort((a, b) => a.dueMs - b.dueMs),
  };
}
