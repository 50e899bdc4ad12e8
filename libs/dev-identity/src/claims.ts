import {
  audiencesOf,
  defaultScopesOf,
  effectiveRoles,
  organisationsOf,
  type Realm,
  type RealmClient,
  type RealmUser,
} from './realm.js';

/**
 * How Keycloak's organization mapper writes the claim: `array` of aliases (its default), a single
 * alias `string` (multivalued off), or an `object` keyed by alias (organisation id or attributes on).
 */
export type OrganizationClaimShape = 'array' | 'string' | 'object';

/** The shape the realm file's organization mapper is configured for. */
export function organizationClaimShapeOf(realm: Realm): OrganizationClaimShape {
  const mapper = realm.clientScopes
    .flatMap((scope) => scope.protocolMappers)
    .find((candidate) => candidate.protocolMapper === 'oidc-organization-membership-mapper');
  if (mapper?.config.addOrganizationAttributes === 'true' || mapper?.config.addOrganizationId === 'true')
    return 'object';
  return mapper?.config.multivalued === 'false' ? 'string' : 'array';
}

/**
 * Keycloak 26's OrganizationScope rules: `organization:<alias>` maps that one organisation (if a
 * member), `organization:*` all of them, and plain `organization` the user's only organisation;
 * a member of several gets none unless one was picked at login (this provider has no picker).
 */
export function selectOrganizations(memberOf: string[], scopes: string[]): string[] {
  const named = scopes.find((scope) => scope.startsWith('organization:') && scope !== 'organization:*');
  if (named) return memberOf.filter((alias) => alias === named.slice('organization:'.length));
  if (scopes.includes('organization:*')) return memberOf;
  if (scopes.includes('organization')) return memberOf.length === 1 ? memberOf : [];
  return [];
}

export function organizationClaim(realm: Realm, aliases: string[], shape: OrganizationClaimShape): unknown {
  if (aliases.length === 0) return undefined;
  if (shape === 'string') return aliases[0];
  if (shape === 'array') return aliases;
  return Object.fromEntries(
    aliases.map((alias) => [alias, realm.organizations.find((o) => o.alias === alias)?.attributes ?? {}]),
  );
}

export type AccessTokenInput = {
  realm: Realm;
  client: RealmClient;
  /** The person, or the client's service-account user for client credentials. */
  user: RealmUser;
  issuer: string;
  /** Scopes requested by the client (space separated); the client's default scopes are added. */
  scope?: string;
  organizationClaimShape: OrganizationClaimShape;
  jti: string;
  iat: number;
  exp: number;
  sid?: string;
};

/** The payload of a Keycloak 26 access token, claim for claim, in Keycloak's order. */
export function accessTokenClaims(input: AccessTokenInput): Record<string, unknown> {
  const { realm, client, user } = input;
  const requested = (input.scope ?? '').split(' ').filter(Boolean);
  const defaults = defaultScopesOf(realm, client);
  const granted = new Set([...requested, ...defaults.map((scope) => scope.name)]);
  // Only scopes marked include.in.token.scope show in `scope` (basic, roles and the audience do not);
  // a requested `organization:<value>` stands in for the default `organization`.
  const organizationRequested = requested.some((scope) => scope.startsWith('organization:'));
  const scopeClaim = [
    ...new Set([
      ...requested,
      ...defaults
        .filter((scope) => scope.attributes['include.in.token.scope'] !== 'false')
        .filter((scope) => !(organizationRequested && scope.name === 'organization'))
        .map((scope) => scope.name),
    ]),
  ].join(' ');
  const audiences = audiencesOf(realm, client);
  const organisations = selectOrganizations(organisationsOf(realm, user.username), [...granted]);
  const profile = granted.has('profile');
  const email = granted.has('email');
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ') || undefined;
  return {
    exp: input.exp,
    iat: input.iat,
    jti: input.jti,
    iss: input.issuer,
    // Keycloak writes a single audience as a string.
    aud: audiences.length === 1 ? audiences[0] : audiences,
    // Since Keycloak 25 `sub` comes from the `basic` scope's mapper: without it there is none.
    sub: granted.has('basic') ? user.id : undefined,
    typ: 'Bearer',
    azp: client.clientId,
    sid: input.sid,
    realm_access: granted.has('roles') ? { roles: effectiveRoles(realm, user) } : undefined,
    scope: scopeClaim,
    email_verified: email ? user.emailVerified : undefined,
    organization: organizationClaim(realm, organisations, input.organizationClaimShape),
    name: profile ? name : undefined,
    preferred_username: profile ? user.username : undefined,
    given_name: profile ? user.firstName : undefined,
    family_name: profile ? user.lastName : undefined,
    email: email ? user.email : undefined,
    client_id:
      granted.has('service_account') && user.serviceAccountClientId ? user.serviceAccountClientId : undefined,
  };
}
