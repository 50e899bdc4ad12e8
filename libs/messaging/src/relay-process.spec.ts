import { describe, expect, it } from '@jest/globals';
import type { RelayHealth } from './relay.js';
import { relayHealthResponse } from './relay-process.js';

const health = (overrides: Partial<RelayHealth> = {}): RelayHealth => ({
  state: 'active',
  published: 0,
  lastPublishedAt: null,
  failures: 0,
  lastError: null,
  ...overrides,
});

describe('relayHealthResponse', () => {
  it("answers on the service's own routes only", () => {
    expect(relayHealthResponse('outings', '/outings-relay/health/live', health(), false)).toEqual([
      200,
      { status: 'up' },
    ]);
    expect(relayHealthResponse('outings', '/outings-relay/health/ready', health(), false)[0]).toBe(200);
    for (const path of ['/people-relay/health/ready', '/outings/health/ready', '/', undefined])
      expect(relayHealthResponse('outings', path, health(), false)[0]).toBe(404);
  });

  it('is ready while the relay is active or in standby and NATS is connected', () => {
    expect(relayHealthResponse('people', '/people-relay/health/ready', health(), false)).toEqual([
      200,
      { status: 'up', state: 'active', failures: 0, lastError: null },
    ]);
    const ready = (h: RelayHealth, natsClosed = false) =>
      relayHealthResponse('people', '/people-relay/health/ready', h, natsClosed)[0];
    expect(ready(health({ state: 'standby' }))).toBe(200);
    expect(ready(health({ failures: 4, lastError: 'timeout' }))).toBe(200);
    expect(ready(health({ state: 'stopped' }))).toBe(503);
    expect(ready(health(), true)).toBe(503);
  });

  it('is not ready once publishing failed five times in a row, and says why', () => {
    expect(
      relayHealthResponse(
        'people',
        '/people-relay/health/ready',
        health({ failures: 5, lastError: 'TIMEOUT' }),
        false,
      ),
    ).toEqual([503, { status: 'down', state: 'active', failures: 5, lastError: 'TIMEOUT' }]);
    // Liveness asks only that the event loop answers.
    expect(relayHealthResponse('people', '/people-relay/health/live', health({ failures: 9 }), true)[0]).toBe(
      200,
    );
  });
});
