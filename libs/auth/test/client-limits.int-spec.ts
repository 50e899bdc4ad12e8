import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { LimitedPerClient } from '#auth';
import { startProbeApp, startTestIssuer, type TestIssuer } from './test-issuer.js';

@Controller()
class ProbeController {
  @LimitedPerClient()
  @Get('search')
  search() {
    return { items: [] };
  }

  @LimitedPerClient()
  @Get('export')
  export() {
    return {};
  }

  @Get('record')
  record() {
    return {};
  }
}

describe('lookups limited per client', () => {
  const perMinute = 3;
  let issuer: TestIssuer;
  let app: Awaited<ReturnType<typeof startProbeApp>>;
  let base: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    app = await startProbeApp(issuer, [ProbeController], { lookupsPerMinute: perMinute });
    base = app.base;
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const aClient = () => issuer.sign({ sub: crypto.randomUUID() });

  it('given a client over its budget, then it is refused with 429 and Retry-After, across the limited routes', async () => {
    const token = await aClient();
    const statuses = [];
    for (const path of ['/search', '/export', '/search', '/export'])
      statuses.push((await get(path, token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await get('/search', token);
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('given one client over its budget, then another client still gets its answers', async () => {
    const greedy = await aClient();
    for (let i = 0; i <= perMinute; i++) await get('/search', greedy);
    expect((await get('/search', greedy)).status).toBe(429);
    expect((await get('/search', await aClient())).status).toBe(200);
  });

  it('given a client over its budget, then routes that are not lookups still answer', async () => {
    const token = await aClient();
    for (let i = 0; i <= perMinute; i++) await get('/search', token);
    expect((await get('/search', token)).status).toBe(429);
    expect((await get('/record', token)).status).toBe(200);
  });

  it('given requests without a valid token, then they are refused (401) before they count against anyone', async () => {
    const token = await aClient();
    for (let i = 0; i <= perMinute; i++) {
      expect((await get('/search')).status).toBe(401);
      expect((await get('/search', `${token}x`)).status).toBe(401);
    }
    expect((await get('/search', token)).status).toBe(200);
  });

  it('given a client within its budget, then its answers say how much is left', async () => {
    const response = await get('/search', await aClient());
    expect(response.headers.get('x-ratelimit-limit')).toBe(String(perMinute));
    expect(response.headers.get('x-ratelimit-remaining')).toBe(String(perMinute - 1));
  });
});
