import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { fetchToken } from '#testing';
import { demoUsers, startDevIdentityProvider, type DevIdentityProvider } from '#dev-identity';

let idp: DevIdentityProvider;
let keySet: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  idp = await startDevIdentityProvider();
  keySet = createRemoteJWKSet(new URL(idp.jwksUri));
});
afterAll(() => idp.close());

const idOf = (username: string) => demoUsers(idp.realm).find((user) => user.username === username)!.id;

async function verify(token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keySet, {
    issuer: idp.issuer,
    audience: 'accanto-api',
    algorithms: ['RS256'],
  });
  return payload;
}

async function postToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(idp.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers,
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const basic = (clientId: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
});

describe('the development identity provider', () => {
  it('serves a discovery document with Keycloak URLs', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;

    const endpoint = `${idp.issuer}/protocol/openid-connect`;
    expect(idp.issuer).toBe(`${idp.url}/realms/accanto`);
    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${endpoint}/auth`,
      token_endpoint: `${endpoint}/token`,
      jwks_uri: `${endpoint}/certs`,
      userinfo_endpoint: `${endpoint}/userinfo`,
      end_session_endpoint: `${endpoint}/logout`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token', 'password']),
    );
    expect(idp.jwksUri).toBe(`${endpoint}/certs`);
  });

  it('issues a Keycloak-shaped RS256 access token through the password grant', async () => {
    const token = await fetchToken(idp, 'partner-04.operator');

    const payload = await verify(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: 'accanto-api',
      sub: idOf('partner-04.operator'),
      typ: 'Bearer',
      azp: 'accanto-web',
      preferred_username: 'partner-04.operator',
      organization: ['partner-04'],
      scope: 'profile email organization',
    });
    expect((payload.realm_access as { roles: string[] }).roles.sort()).toEqual(
      ['default-roles-accanto', 'offline_access', 'operator', 'uma_authorization'].sort(),
    );
    expect(payload.exp! - payload.iat!).toBe(idp.realm.accessTokenLifespan);
    expect(typeof payload.jti).toBe('string');
  });

  it('refreshes a password-grant token', async () => {
    const { body } = await postToken({
      grant_type: 'password',
      client_id: 'accanto-web',
      username: 'residenzami.desk',
      password: 'accanto-dev',
    });
    const refreshed = await postToken({
      grant_type: 'refresh_token',
      client_id: 'accanto-web',
      refresh_token: body.refresh_token,
    });

    expect(refreshed.status).toBe(200);
    expect(await verify(refreshed.body.access_token)).toMatchObject({
      sub: idOf('residenzami.desk'),
      organization: ['residenzami'],
      scope: body.scope,
    });
  });

  it('answers 401 invalid_grant to a wrong password or an unknown user', async () => {
    for (const [username, password] of [
      ['partner-04.operator', 'wrong'],
      ['nobody', 'accanto-dev'],
    ]) {
      const { status, body } = await postToken({
        grant_type: 'password',
        client_id: 'accanto-web',
        username,
        password,
      });
      expect({ status, body }).toEqual({
        status: 401,
        body: { error: 'invalid_grant', error_description: 'Invalid user credentials' },
      });
    }
    await expect(fetchToken(idp, 'partner-04.operator', { password: 'wrong' })).rejects.toThrow(
      /401 invalid_grant/,
    );
  });

  it('refuses the password grant to clients without direct access grants', async () => {
    const { status, body } = await postToken(
      { grant_type: 'password', username: 'cri-milano.operator', password: 'accanto-dev' },
      basic('integration-cri-milano', 'accanto-dev'),
    );
    expect(status).toBe(400);
    expect(body.error).toBe('unauthorized_client');
  });

  it("gives an integration client a token for its service account's organisation and role", async () => {
    const { status, body } = await postToken(
      { grant_type: 'client_credentials' },
      basic('integration-casa-della-carita', 'accanto-dev'),
    );

    expect(status).toBe(200);
    const payload = await verify(body.access_token);
    expect(payload).toMatchObject({
      sub: idOf('service-account-integration-casa-della-carita'),
      azp: 'integration-casa-della-carita',
      client_id: 'integration-casa-della-carita',
      preferred_username: 'service-account-integration-casa-della-carita',
      organization: ['casa-della-carita'],
      typ: 'Bearer',
    });
    expect((payload.realm_access as { roles: string[] }).roles).toContain('operator');
  });

  it('refuses client credentials with a wrong secret', async () => {
    const { status, body } = await postToken(
      { grant_type: 'client_credentials' },
      basic('integration-cri-milano', 'wrong'),
    );
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('runs the authorization code flow with PKCE, then refreshes', async () => {
    const cookies = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}) => {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: {
          ...init.headers,
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return response;
    };
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://localhost:5173/callback';
    const authorize = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'accanto-web',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      state: 'state-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();

    const toLogin = await go(authorize.href);
    expect(toLogin.status).toBe(303);
    const loginUrl = new URL(toLogin.headers.get('location')!, idp.url).href;
    expect(loginUrl).toContain('/realms/accanto/login-actions/');
    const form = await go(loginUrl);
    expect(await form.text()).toContain('name="password"');
    const wrong = await go(loginUrl, {
      method: 'POST',
      body: new URLSearchParams({ username: 'cri-milano.coordinator', password: 'nope' }),
    });
    expect(await wrong.text()).toContain('Invalid username or password.');
    const loggedIn = await go(loginUrl, {
      method: 'POST',
      body: new URLSearchParams({ username: 'cri-milano.coordinator', password: 'accanto-dev' }),
    });
    expect(loggedIn.status).toBe(303);
    let location = loggedIn.headers.get('location')!;
    while (!location.startsWith(redirectUri))
      location = (await go(new URL(location, idp.url).href)).headers.get('location')!;
    const callback = new URL(location);
    expect(callback.searchParams.get('state')).toBe('state-1');
    const code = callback.searchParams.get('code')!;

    const exchange = {
      grant_type: 'authorization_code',
      client_id: 'accanto-web',
      code,
      redirect_uri: redirectUri,
    };
    const withWrongVerifier = await postToken({
      ...exchange,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(withWrongVerifier.body.error).toBe('invalid_grant');
    const tokens = await postToken({ ...exchange, code_verifier: verifier });
    expect(tokens.status).toBe(200);
    expect(tokens.body.id_token).toEqual(expect.any(String));
    const payload = await verify(tokens.body.access_token);
    expect(payload).toMatchObject({
      sub: idOf('cri-milano.coordinator'),
      azp: 'accanto-web',
      organization: ['cri-milano'],
      scope: 'openid profile email organization',
    });
    expect((payload.realm_access as { roles: string[] }).roles).toContain('coordinator');

    const refreshed = await postToken({
      grant_type: 'refresh_token',
      client_id: 'accanto-web',
      refresh_token: tokens.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(await verify(refreshed.body.access_token)).toMatchObject({
      sub: idOf('cri-milano.coordinator'),
      organization: ['cri-milano'],
    });
  });

  it('requires PKCE from the public client', async () => {
    const authorize = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'accanto-web',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://localhost:5173/callback',
    }).toString();
    const response = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(response.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe('http://localhost:5173/callback');
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('lists every organisation of a multi-organisation user only when asked, as Keycloak does', async () => {
    const organizationOf = async (scope?: string) =>
      (await verify(await fetchToken(idp, 'multi-org.operator', { scope }))).organization;

    expect(await organizationOf('organization:*')).toEqual(['volontari-milano-aperta', 'casa-della-carita']);
    expect(await organizationOf('organization:casa-della-carita')).toEqual(['casa-della-carita']);
    // Plain `organization` (a default scope) maps a member of several organisations to none.
    expect(await organizationOf()).toBeUndefined();
    const notAMember = await postToken({
      grant_type: 'password',
      client_id: 'accanto-web',
      username: 'multi-org.operator',
      password: 'accanto-dev',
      scope: 'organization:cri-milano',
    });
    expect(notAMember.body.error).toBe('invalid_scope');
  });

  it('answers userinfo for a valid access token only', async () => {
    const token = await fetchToken(idp, 'centro-sammartini.hub');
    const endpoint = `${idp.issuer}/protocol/openid-connect/userinfo`;

    const ok = await fetch(endpoint, { headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toMatchObject({
      sub: idOf('centro-sammartini.hub'),
      preferred_username: 'centro-sammartini.hub',
      organization: ['centro-sammartini'],
    });
    const refused = await fetch(endpoint, { headers: { authorization: `Bearer ${token}x` } });
    expect(refused.status).toBe(401);
  });

  it("signs arbitrary claims with the realm's key, for negative tests", async () => {
    const claims = { sub: idOf('auditors.auditor'), azp: 'accanto-web', aud: 'accanto-api' };

    await expect(verify(await idp.signAccessToken(claims))).resolves.toMatchObject({
      ...claims,
      typ: 'Bearer',
      iss: idp.issuer,
    });
    await expect(verify(await idp.signAccessToken(claims, { expiresInSeconds: -60 }))).rejects.toBeInstanceOf(
      errors.JWTExpired,
    );
    await expect(verify(await idp.signAccessToken({ ...claims, aud: 'another-api' }))).rejects.toThrow(/aud/);
  });

  it('writes the organization claim in the configured shape', async () => {
    for (const [shape, expected] of [
      ['string', 'cri-milano'],
      ['object', { 'cri-milano': { kind: ['partner', 'lead'] } }],
    ] as const) {
      const other = await startDevIdentityProvider({ organizationClaimShape: shape });
      try {
        const { payload } = await jwtVerify(
          await fetchToken(other, 'cri-milano.lead'),
          createRemoteJWKSet(new URL(other.jwksUri)),
          {
            issuer: other.issuer,
            audience: 'accanto-api',
          },
        );
        expect(payload.organization).toEqual(expected);
      } finally {
        await other.close();
      }
    }
  });

  it('refuses to start in production mode', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startDevIdentityProvider()).rejects.toThrow(/refuses to start with NODE_ENV=production/);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});

describe('the realm file', () => {
  it('has demo users for every organisation and role, and an integration client per partner', () => {
    const users = demoUsers(idp.realm);
    const kinds = Object.fromEntries(idp.realm.organizations.map((o) => [o.alias, o.attributes.kind]));
    const has = (alias: string, role: string, serviceAccount = false) =>
      users.some(
        (u) =>
          u.organisations.includes(alias) &&
          u.roles.includes(role) &&
          Boolean(u.serviceAccountOf) === serviceAccount,
      );

    expect(Object.keys(kinds)).toHaveLength(19);
    expect(kinds['cri-milano']).toEqual(['partner', 'lead']);
    for (const [alias, kind] of Object.entries(kinds)) {
      if (kind.includes('partner')) {
        expect([
          alias,
          has(alias, 'operator'),
          has(alias, 'coordinator'),
          has(alias, 'operator', true),
        ]).toEqual([alias, true, true, true]);
      }
    }
    expect(
      has('cri-milano', 'lead') &&
        has('centro-sammartini', 'hub') &&
        has('residenzami', 'residence-desk') &&
        has('auditors', 'auditor'),
    ).toBe(true);
    expect(users.filter((u) => u.organisations.length > 1).map((u) => u.username)).toEqual([
      'multi-org.operator',
    ]);
  });
});
