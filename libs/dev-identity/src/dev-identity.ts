import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import {
  errors,
  Provider,
  type IssuedToken,
  type ProviderContext,
  type StructuredToken,
} from 'oidc-provider';
import { accessTokenClaims, organizationClaimShapeOf, type OrganizationClaimShape } from './claims.js';
import { loginPage } from './login-page.js';
import { createMemoryAdapter } from './memory-adapter.js';
import {
  audiencesOf,
  authenticate,
  issuesTokens,
  loadRealm,
  organisationsOf,
  serviceAccountOf,
  type Realm,
  type RealmClient,
} from './realm.js';

export type DevIdentityOptions = {
  /** Defaults to deploy/keycloak/accanto-realm.json. */
  realmFile?: string;
  /** Defaults to 0: any free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Origin the issuer is built on when clients reach this provider under another host name. */
  publicUrl?: string;
  /** Defaults to the shape the realm file's organization mapper is configured for (an array). */
  organizationClaimShape?: OrganizationClaimShape;
};

export type DevIdentityProvider = {
  /** Where this process listens, e.g. http://127.0.0.1:8080. */
  url: string;
  /** `<publicUrl or url>/realms/accanto`, the `iss` of every token. */
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  realm: Realm;
  /** Signs any payload with the realm's key; defaults: `iss`, `iat`, `jti`, `typ: Bearer`, `exp` from the realm's lifespan. */
  signAccessToken(claims: Record<string, unknown>, options?: { expiresInSeconds?: number }): Promise<string>;
  close(): Promise<void>;
};

// oidc-provider needs a resource indicator (an absolute URI) to issue JWT access tokens; Keycloak has
// none, so every access token is for this one resource, and its `aud` comes from the realm's mappers.
const ACCESS_TOKEN_RESOURCE = 'urn:accanto:dev-identity:access-token';
const USERINFO_CLAIMS = ['sub', 'email_verified', 'organization', 'name', 'preferred_username', 'given_name', 'family_name', 'email'];

export async function startDevIdentityProvider(options: DevIdentityOptions = {}): Promise<DevIdentityProvider> {
  // The one read of process.env outside a main.ts: a safety interlock must not depend on its caller.
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'The development identity provider refuses to start with NODE_ENV=production: its users, passwords and ' +
        'client secrets are public. Point the services at Keycloak (KEYCLOAK_URL) instead.',
    );
  }
  const realm = loadRealm(options.realmFile);
  const shape = options.organizationClaimShape ?? organizationClaimShapeOf(realm);
  const host = options.host ?? '127.0.0.1';

  // Listen first: with port 0 the issuer is only known once the port is.
  let handle: RequestListener = (_req, res) => send(res, 503, { error: 'starting' });
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${['0.0.0.0', '::'].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
  const mount = `/realms/${realm.realm}`;
  const issuer = `${(options.publicUrl ?? url).replace(/\/$/, '')}${mount}`;

  const { privateKey, publicJwk, privateJwk } = await createRealmKey();
  const keySet = createLocalJWKSet({ keys: [publicJwk] });
  const provider = createProvider({ realm, issuer, mount, shape, privateJwk });
  const callback = provider.callback();

  const userinfo = async (req: IncomingMessage, res: ServerResponse) => {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    try {
      const { payload } = await jwtVerify(token ?? '', keySet, { issuer, algorithms: ['RS256'] });
      if (payload.typ !== 'Bearer') throw new Error('not an access token');
      send(res, 200, Object.fromEntries(USERINFO_CLAIMS.filter((claim) => claim in payload).map((c) => [c, payload[c]])));
    } catch {
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm.realm}", error="invalid_token"`);
      send(res, 401, { error: 'invalid_token', error_description: 'Token verification failed' });
    }
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') return send(res, 400, { error: `unexpected prompt ${details.prompt.name}` });
    const page = { action: (req.url ?? '').split('?')[0], realmName: realm.realm, notice: realm.attributes['accanto.notice'] };
    if (req.method !== 'POST') {
      return sendHtml(res, loginPage({ ...page, username: String(details.params.login_hint ?? '') }));
    }
    const form = await readForm(req);
    const result = authenticate(realm, form.get('username') ?? '', form.get('password') ?? '');
    if ('refusal' in result) {
      const error = result.refusal === 'invalid-credentials' ? 'Invalid username or password.' : `Sign-in refused: ${result.refusal}.`;
      return sendHtml(res, loginPage({ ...page, username: form.get('username') ?? '', error }));
    }
    await provider.interactionFinished(req, res, { login: { accountId: result.user.id } });
  };

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const respond = async () => {
      if (path === `${mount}/protocol/openid-connect/userinfo`) return userinfo(req, res);
      if (path.startsWith(`${mount}/login-actions/`)) return login(req, res);
      if (path === mount || path.startsWith(`${mount}/`)) {
        // oidc-provider routes relative to its mount point and rebuilds absolute URLs from originalUrl.
        Object.assign(req, { originalUrl: req.url });
        req.url = (req.url ?? '').slice(mount.length) || '/';
        return callback(req, res);
      }
      send(res, 404, { error: 'not_found' });
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) send(res, 400, { error: 'invalid_request', error_description: String(error) });
    });
  };

  return {
    url,
    issuer,
    jwksUri: `${url}${mount}/protocol/openid-connect/certs`,
    tokenEndpoint: `${url}${mount}/protocol/openid-connect/token`,
    realm,
    async signAccessToken(claims, { expiresInSeconds } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const exp = expiresInSeconds !== undefined ? now + expiresInSeconds : (claims.exp ?? now + realm.accessTokenLifespan);
      const payload: Record<string, unknown> = { iat: now, jti: randomUUID(), iss: issuer, typ: 'Bearer', ...claims, exp };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: publicJwk.kid })
        .sign(privateKey);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// A fresh key per start: no private key in the repository, and tokens from an earlier run stop verifying.
async function createRealmKey() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateKey,
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

type ProviderSetup = { realm: Realm; issuer: string; mount: string; shape: OrganizationClaimShape; privateJwk: JWK };

function createProvider({ realm, issuer, mount, shape, privateJwk }: ProviderSetup): Provider {
  const clients = realm.clients.filter(issuesTokens);
  const clientOf = (clientId: string): RealmClient => {
    const client = clients.find((candidate) => candidate.clientId === clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    return client;
  };
  const organisationScopes = ['organization:*', ...realm.organizations.map((o) => `organization:${o.alias}`)];
  const scopesOf = (client: RealmClient) => [
    'openid',
    ...client.defaultClientScopes,
    ...client.optionalClientScopes,
    ...(client.defaultClientScopes.includes('organization') || client.optionalClientScopes.includes('organization')
      ? organisationScopes
      : []),
  ];
  const allScopes = [...new Set(['openid', 'offline_access', ...realm.clientScopes.map((s) => s.name), ...organisationScopes])];
  const resourceServer = (client: RealmClient) => ({
    scope: scopesOf(client).join(' '),
    // A string here; the jwt customizer writes the full `aud` from the realm's Audience mappers.
    audience: audiencesOf(realm, client)[0],
    accessTokenFormat: 'jwt',
    accessTokenTTL: realm.accessTokenLifespan,
    jwt: { sign: { alg: 'RS256' } },
  });
  const userById = (id: string | undefined) => realm.users.find((user) => user.id === id);

  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    clients: clients.map((client) => ({
      client_id: client.clientId,
      ...(client.publicClient
        ? { token_endpoint_auth_method: 'none' }
        : { client_secret: client.secret, token_endpoint_auth_method: 'client_secret_basic' }),
      grant_types: [
        ...new Set([
          // Every client may try the password grant, so that passwordGrant answers like Keycloak.
          'password',
          ...(client.standardFlowEnabled || client.directAccessGrantsEnabled ? ['refresh_token'] : []),
          ...(client.standardFlowEnabled ? ['authorization_code'] : []),
          ...(client.serviceAccountsEnabled ? ['client_credentials'] : []),
        ]),
      ],
      response_types: client.standardFlowEnabled ? ['code'] : [],
      redirect_uris: client.standardFlowEnabled ? client.redirectUris : [],
      scope: scopesOf(client).join(' '),
    })),
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: allScopes,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
      organization: ['organization'],
    },
    routes: {
      authorization: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      jwks: '/protocol/openid-connect/certs',
      end_session: '/protocol/openid-connect/logout',
      revocation: '/protocol/openid-connect/revoke',
    },
    discovery: { userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      // Served by this library instead: oidc-provider refuses access tokens that carry an audience.
      userinfo: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => ACCESS_TOKEN_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: ProviderContext, resource: string, client: { clientId: string }) => {
          if (resource !== ACCESS_TOKEN_RESOURCE) throw new errors.InvalidTarget();
          return resourceServer(clientOf(client.clientId));
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${mount}/login-actions/${interaction.uid}` },
    // Keycloak clients without consentRequired never ask: grant every scope the client may have.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      const scope = scopesOf(clientOf(ctx.oidc.client.clientId)).join(' ');
      grant.addOIDCScope(scope);
      grant.addResourceScope(ACCESS_TOKEN_RESOURCE, scope);
      await grant.save();
      return grant;
    },
    findAccount: (_ctx: ProviderContext, sub: string) => {
      const user = userById(sub);
      return user && { accountId: user.id, claims: () => identityClaims(user.id) };
    },
    // Keycloak issues refresh tokens without offline_access.
    issueRefreshToken: (_ctx: ProviderContext, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    pkce: {
      required: (_ctx: ProviderContext, client: { clientId: string; clientAuthMethod: string }) =>
        client.clientAuthMethod === 'none' || clientOf(client.clientId).attributes['pkce.code.challenge.method'] === 'S256',
    },
    ttl: {
      AccessToken: realm.accessTokenLifespan,
      ClientCredentials: realm.accessTokenLifespan,
      IdToken: realm.accessTokenLifespan,
      AuthorizationCode: 60,
      RefreshToken: 1800,
      Interaction: 600,
      Session: 36000,
      Grant: 36000,
    },
    clientBasedCORS: () => true,
    formats: {
      customizers: {
        // Rewrite oidc-provider's access token into Keycloak's: header typ JWT, payload claim for claim.
        jwt: (_ctx: ProviderContext, token: IssuedToken, jwt: StructuredToken) => {
          const client = clientOf(token.clientId);
          const user = token.kind === 'ClientCredentials' ? serviceAccountOf(realm, client.clientId) : userById(token.accountId);
          if (!user) throw new Error(`no user behind the ${token.kind} of ${client.clientId}`);
          jwt.header = { typ: 'JWT' };
          jwt.payload = accessTokenClaims({
            realm,
            client,
            user,
            issuer,
            scope: token.scope,
            organizationClaimShape: shape,
            jti: String(jwt.payload.jti),
            iat: Number(jwt.payload.iat),
            exp: Number(jwt.payload.exp),
            sid: token.sid,
          });
        },
      },
    },
  });

  // ID-token and userinfo claims: the identity part of what the access token would carry.
  const identityClaims = (userId: string) => {
    const user = userById(userId)!;
    const aliases = organisationsOf(realm, user.username);
    return {
      sub: user.id,
      name: [user.firstName, user.lastName].filter(Boolean).join(' ') || undefined,
      preferred_username: user.username,
      given_name: user.firstName,
      family_name: user.lastName,
      email: user.email,
      email_verified: user.emailVerified,
      organization: aliases.length > 0 ? aliases : undefined,
    };
  };

  // Keycloak redirect URIs may end in a wildcard; post-logout URIs "+" means "same as redirect URIs".
  const allowed = (patterns: string[], uri: string) =>
    patterns.some((pattern) => (pattern.endsWith('*') ? uri.startsWith(pattern.slice(0, -1)) : pattern === uri));
  Object.assign(provider.Client.prototype, {
    redirectUriAllowed(this: { redirectUris: string[] }, uri: string) {
      return allowed(this.redirectUris, uri);
    },
    postLogoutRedirectUriAllowed(this: { clientId: string; redirectUris: string[] }, uri: string) {
      const configured = clientOf(this.clientId).attributes['post.logout.redirect.uris'] ?? '+';
      return allowed(configured === '+' ? this.redirectUris : configured.split('##'), uri);
    },
  });

  provider.registerGrantType('password', (ctx) => passwordGrant(ctx), ['username', 'password', 'scope']);

  // Keycloak's "direct access grants".
  async function passwordGrant(ctx: ProviderContext) {
    const { params, client } = ctx.oidc;
    const realmClient = clientOf(client.clientId);
    if (!realmClient.directAccessGrantsEnabled) {
      throw new errors.CustomOIDCProviderError('unauthorized_client', 'Client not allowed for direct access grants');
    }
    const result = authenticate(realm, params.username ?? '', params.password ?? '');
    if ('refusal' in result) throw refusal(result.refusal);
    const { user } = result;
    const memberOf = organisationsOf(realm, user.username);
    const scope = params.scope ?? '';
    for (const value of scope.split(' ').filter(Boolean)) {
      const alias = value.startsWith('organization:') && value !== 'organization:*' ? value.slice('organization:'.length) : undefined;
      if (!scopesOf(realmClient).includes(value) || (alias && !memberOf.includes(alias))) {
        throw new errors.InvalidScope(`Invalid scopes: ${scope}`, value);
      }
    }
    const grant = new provider.Grant({ clientId: client.clientId, accountId: user.id });
    grant.addOIDCScope(scopesOf(realmClient).join(' '));
    grant.addResourceScope(ACCESS_TOKEN_RESOURCE, scopesOf(realmClient).join(' '));
    const grantId = await grant.save();
    const common = { accountId: user.id, client, grantId, gty: 'password', scope: scope || undefined, expiresWithSession: false };
    const accessToken = new provider.AccessToken(common);
    accessToken.resourceServer = new provider.ResourceServer(ACCESS_TOKEN_RESOURCE, resourceServer(realmClient));
    const accessTokenValue = await accessToken.save();
    const refreshToken = client.grantTypeAllowed('refresh_token')
      ? new provider.RefreshToken({ ...common, resource: ACCESS_TOKEN_RESOURCE, rotations: 0 })
      : undefined;
    const refreshTokenValue = await refreshToken?.save();
    let idToken: string | undefined;
    if (scope.split(' ').includes('openid')) {
      const token = new provider.IdToken(identityClaims(user.id), { ctx });
      token.scope = scope;
      idToken = await token.issue({ use: 'idtoken' });
    }
    ctx.body = {
      access_token: accessTokenValue,
      expires_in: accessToken.expiration,
      refresh_expires_in: refreshToken?.expiration,
      refresh_token: refreshTokenValue,
      token_type: 'Bearer',
      id_token: idToken,
      'not-before-policy': 0,
      scope: decodeJwt(accessTokenValue).scope,
    };
  }

  return provider;
}

// Keycloak's answers: wrong credentials are a 401, other refusals a 400, all `invalid_grant`.
function refusal(reason: 'invalid-credentials' | 'disabled' | 'not-set-up') {
  const descriptions = {
    'invalid-credentials': 'Invalid user credentials',
    disabled: 'Account disabled',
    'not-set-up': 'Account is not fully set up',
  };
  const error = new errors.CustomOIDCProviderError('invalid_grant', descriptions[reason]);
  if (reason === 'invalid-credentials') error.status = error.statusCode = 401;
  return error;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
