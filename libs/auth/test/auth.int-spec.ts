import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import type { Actor } from '#contracts';
import { CurrentActor, Public, Roles } from '#auth';
import { startProbeApp, startTestIssuer, type TestIssuer } from './test-issuer.js';

@Controller()
class ProbeController {
  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('me')
  me(@CurrentActor() actor: Actor) {
    return actor;
  }

  @Roles('coordinator')
  @Get('coordination')
  coordination(@CurrentActor() actor: Actor) {
    return actor;
  }
}

describe('auth guard over HTTP', () => {
  let issuer: TestIssuer;
  let app: Awaited<ReturnType<typeof startProbeApp>>;
  let base: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    app = await startProbeApp(issuer, [ProbeController]);
    base = app.base;
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  const call = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const withToken = (token: string, headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    ...headers,
  });
  const invalidToken = 'Bearer realm="accanto", error="invalid_token"';

  it('answers a valid token with the actor', async () => {
    const response = await call('/me', withToken(await issuer.sign()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      userId: issuer.claims().sub,
      organisation: 'cri-milano',
      roles: ['operator'],
    });
  });

  it('serves a public route without a token', async () => {
    const response = await call('/open');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ open: true });
  });

  it.each([
    ['no Authorization header', {}],
    ['another scheme', { authorization: 'Basic b3BlcmF0b3JlOnNlZ3JldG8=' }],
  ])('answers %s with 401 and a bare Bearer challenge', async (_case, headers) => {
    const response = await call('/me', headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="accanto"');
  });

  const refused: Array<[string, (issuer: TestIssuer) => Promise<string> | string]> = [
    ['an expired token', (i) => i.sign({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token from another issuer', (i) => i.sign({ iss: 'http://127.0.0.1:1/realms/accanto' })],
    ['a token for another audience', (i) => i.sign({ aud: ['account', 'reporting-api'] })],
    ['an unsigned token (alg none)', (i) => i.signUnsecured()],
    ['a token signed by a key the JWKS does not publish', (i) => i.sign({}, { key: 'unpublished' })],
    ['an HS256 token keyed with the public key', (i) => i.signWithPublicKeyAsSecret()],
    ['a refresh token', (i) => i.sign({ typ: 'Refresh' })],
    ['a token without exp', (i) => i.sign({ exp: undefined })],
    ['a malformed token', () => 'not-a-jwt'],
  ];
  it.each(refused)('answers %s with 401 invalid_token', async (_case, make) => {
    const token = await make(issuer);
    const response = await call('/me', withToken(token));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(invalidToken);
    expect(await response.text()).not.toContain(token);
  });

  it('answers an empty bearer credential with 401 invalid_token', async () => {
    const response = await call('/me', { authorization: 'Bearer ' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(invalidToken);
  });

  it('answers 403 when the caller lacks every required role', async () => {
    const response = await call('/coordination', withToken(await issuer.sign()));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('lets a caller holding the required role through', async () => {
    const token = await issuer.sign({ realm_access: { roles: ['operator', 'coordinator'] } });
    const response = await call('/coordination', withToken(token));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ roles: ['operator', 'coordinator'] });
  });

  describe('a member of several organisations', () => {
    const organization = { 'cri-milano': { id: 'o-1' }, 'caritas-ambrosiana': { id: 'o-2' } };

    it('acts for the organisation named in X-Organisation', async () => {
      const token = await issuer.sign({ organization });
      const response = await call('/me', withToken(token, { 'x-organisation': 'caritas-ambrosiana' }));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ organisation: 'caritas-ambrosiana' });
    });

    it('must name one (400)', async () => {
      const response = await call('/me', withToken(await issuer.sign({ organization })));
      expect(response.status).toBe(400);
    });

    it('may not name one they do not belong to (403)', async () => {
      const token = await issuer.sign({ organization });
      const response = await call('/me', withToken(token, { 'x-organisation': 'progetto-arca' }));
      expect(response.status).toBe(403);
    });
  });

  it('refuses a user with no organisation (403)', async () => {
    const response = await call('/me', withToken(await issuer.sign({ organization: undefined })));
    expect(response.status).toBe(403);
  });
});
