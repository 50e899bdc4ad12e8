import { randomBytes } from 'node:crypto';
import { decodeJwt, type JWK } from 'jose';
import {
  errors,
  Provider,
  type IssuedToken,
  type ProviderContext,
  type StructuredToken,
} from 'oidc-provider';
import { accessTokenClaims, type OrganizationClaimShape } from './claims.js';
import { createMemoryAdapter } from './memory-adapter.js';
import {
  audiencesOf,
  authenticate,
  issuesTokens,
  organisationsOf,
  serviceAccountOf,
  type Realm,
  type RealmClient,
} from './realm.js';

// oidc-provider configured as Keycloak: its routes, clients, grants and access-token shape.

// oidc-provider needs a resource indicator (an absolute URI) to issue JWT access tokens; Keycloak has
// none, so every access token is for this one resource, and its `aud` comes from the realm's mappers.
const ACCESS_TOKEN_RESOURCE = 'urn:accanto:dev-identity:access-token';

export type ProviderSetup = {
  realm: Realm;
  issuer: string;
  mount: string;
  shape: OrganizationClaimShape;
  privateJwk: JWK;
};

export function createProvider({ realm, issuer, mount, shape, privateJwk }: ProviderSetup): Provider {
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
    ...(client.defaultClientScopes.includes('organization') ||
    client.optionalClientScopes.includes('organization')
      ? organisationScopes
      : []),
  ];
  const allScopes = [
    ...new Set(['openid', 'offline_access', ...realm.clientScopes.map((s) => s.name), ...organisationScopes]),
  ];
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
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${mount}/login-actions/${interaction.uid}`,
    },
    // Keycloak clients without consentRequired never ask: grant every scope the client may have.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const grant = new provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      const scope = scopesOf(clientOf(ctx.oidc.client.clientId)).join(' ');
      grant.addOIDCScope(scope);
      grant.addResourceScope(ACCESS_TOKEN_RESOURCE, scope);
      await grant.save();
      return grant;
    },
    findAccount: (ctx: ProviderContext, sub: string) => {
      const user = userById(sub);
      return (
        user && {
          accountId: user.id,
          claims: (_use: string, scope: string) => identityClaims(user.id, ctx.oidc.client.clientId, scope),
        }
      );
    },
    // Keycloak issues refresh tokens without offline_access.
    issueRefreshToken: (_ctx: ProviderContext, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    pkce: {
      required: (_ctx: ProviderContext, client: { clientId: string; clientAuthMethod: string }) =>
        client.clientAuthMethod === 'none' ||
        clientOf(client.clientId).attributes['pkce.code.challenge.method'] === 'S256',
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
    // Development: front ends on any local port may call the token endpoint.
    clientBasedCORS: () => true,
    formats: {
      customizers: {
        // Rewrite oidc-provider's access token into Keycloak's: header typ JWT, payload claim for claim.
        jwt: (_ctx: ProviderContext, token: IssuedToken, jwt: StructuredToken) => {
          const client = clientOf(token.clientId);
          const user =
            token.kind === 'ClientCredentials'
              ? serviceAccountOf(realm, client.clientId)
              : userById(token.accountId);
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

  // ID-token claims: the identity part of what an access token with the same scope carries
  // (oidc-provider then keeps those its `claims` configuration maps to the granted scopes).
  const identityClaims = (userId: string, clientId: string, scope: string) => {
    const user = userById(userId)!;
    const client = clientOf(clientId);
    const { sub, name, preferred_username, given_name, family_name, email, email_verified, organization } =
      accessTokenClaims({
        realm,
        client,
        user,
        issuer,
        scope,
        organizationClaimShape: shape,
        jti: '',
        iat: 0,
        exp: 0,
      });
    return {
      sub: sub ?? user.id,
      name,
      preferred_username,
      given_name,
      family_name,
      email,
      email_verified,
      organization,
    };
  };

  // Keycloak redirect URIs may end in a wildcard; post-logout URIs "+" means "same as redirect URIs".
  const allowed = (patterns: string[], uri: string) =>
    patterns.some((pattern) =>
      pattern.endsWith('*') ? uri.startsWith(pattern.slice(0, -1)) : pattern === uri,
    );
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
      throw new errors.CustomOIDCProviderError(
        'unauthorized_client',
        'Client not allowed for direct access grants',
      );
    }
    const result = authenticate(realm, params.username ?? '', params.password ?? '');
    if ('refusal' in result) throw refusal(result.refusal);
    const { user } = result;
    const memberOf = organisationsOf(realm, user.username);
    const scope = params.scope ?? '';
    for (const value of scope.split(' ').filter(Boolean)) {
      const alias =
        value.startsWith('organization:') && value !== 'organization:*'
          ? value.slice('organization:'.length)
          : undefined;
      if (!scopesOf(realmClient).includes(value) || (alias && !memberOf.includes(alias))) {
        throw new errors.InvalidScope(`Invalid scopes: ${scope}`, value);
      }
    }
    const grant = new provider.Grant({ clientId: client.clientId, accountId: user.id });
    grant.addOIDCScope(scopesOf(realmClient).join(' '));
    grant.addResourceScope(ACCESS_TOKEN_RESOURCE, scopesOf(realmClient).join(' '));
    const grantId = await grant.save();
    const common = {
      accountId: user.id,
      client,
      grantId,
      gty: 'password',
      scope: scope || undefined,
      expiresWithSession: false,
    };
    const accessToken = new provider.AccessToken(common);
    accessToken.resourceServer = new provider.ResourceServer(
      ACCESS_TOKEN_RESOURCE,
      resourceServer(realmClient),
    );
    const accessTokenValue = await accessToken.save();
    const refreshToken = client.grantTypeAllowed('refresh_token')
      ? new provider.RefreshToken({ ...common, resource: ACCESS_TOKEN_RESOURCE, rotations: 0 })
      : undefined;
    const refreshTokenValue = await refreshToken?.save();
    let idToken: string | undefined;
    if (scope.split(' ').includes('openid')) {
      const token = new provider.IdToken(identityClaims(user.id, client.clientId, scope), { ctx });
      token.scope = [...new Set([...scope.split(' '), ...realmClient.defaultClientScopes])].join(' ');
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
