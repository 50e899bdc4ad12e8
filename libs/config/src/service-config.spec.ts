import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseEnvironment, serviceConfigOf, serviceEnvironment } from './service-config.js';

const schema = z.object({ ...serviceEnvironment(3009), EXTRA: z.stringbool().default(false) });

describe('service configuration', () => {
  it('takes the shared defaults and the app’s own port', () => {
    const e = parseEnvironment('demo', schema, {
      DATABASE_URL: 'postgres://owner@127.0.0.1:5432/demo',
      OIDC_ISSUER: 'http://127.0.0.1:8080/realms/accanto',
    });
    expect(serviceConfigOf(e)).toEqual({
      port: 3009,
      host: '127.0.0.1',
      database: {
        ownerUrl: 'postgres://owner@127.0.0.1:5432/demo',
        provision: false,
        appPassword: 'accanto-dev',
        relayPassword: 'accanto-dev',
        poolMax: 10,
      },
      nats: { url: 'nats://127.0.0.1:4222', namespace: '', replicas: 1 },
      oidc: { issuer: 'http://127.0.0.1:8080/realms/accanto', jwksUrl: undefined, audience: 'accanto-api' },
      http: { maxRequestsInFlight: undefined, lookupsPerMinute: undefined },
      logLevel: 'info',
    });
    expect(e.EXTRA).toBe(false);
  });

  it.each([
    ['HTTP_MAX_REQUESTS_IN_FLIGHT', '64', { maxRequestsInFlight: 64, lookupsPerMinute: undefined }],
    ['HTTP_LOOKUPS_PER_MINUTE', '30', { maxRequestsInFlight: undefined, lookupsPerMinute: 30 }],
  ])('takes %s when the operator sets it, and refuses 0', (name, value, http) => {
    const base = {
      DATABASE_URL: 'postgres://owner@127.0.0.1:5432/demo',
      OIDC_ISSUER: 'http://127.0.0.1:8080/realms/accanto',
    };
    expect(serviceConfigOf(parseEnvironment('demo', schema, { ...base, [name]: value })).http).toEqual(http);
    expect(() => parseEnvironment('demo', schema, { ...base, [name]: '0' })).toThrow(new RegExp(name));
  });

  it('names every problem at once, with the service', () => {
    expect(() => parseEnvironment('demo', schema, { PORT: 'eighty', NATS_NAMESPACE: 'Not-Allowed' })).toThrow(
      /^demo: invalid configuration\n(?=[\s\S]*PORT)(?=[\s\S]*DATABASE_URL)(?=[\s\S]*NATS_NAMESPACE)(?=[\s\S]*OIDC_ISSUER)/,
    );
  });
});
