import { describe, expect, it } from '@jest/globals';
import { accessTokenClaims, organizationClaim, selectOrganizations } from './claims.js';
import type { Realm } from './realm.js';

const realm: Realm = {
  realm: 'accanto',
  organizationsEnabled: true,
  accessTokenLifespan: 300,
  attributes: {},
  roles: {
    realm: [
      { name: 'operator', composite: false, composites: { realm: [] } },
      { name: 'offline_access', composite: false, composites: { realm: [] } },
      { name: 'default-roles-accanto', composite: true, composites: { realm: ['offline_access'] } },
    ],
  },
  clientScopes: [
    { name: 'basic', attributes: { 'include.in.token.scope': 'false' }, protocolMappers: [] },
    { name: 'roles', attributes: { 'include.in.token.scope': 'false' }, protocolMappers: [] },
    { name: 'profile', attributes: { 'include.in.token.scope': 'true' }, protocolMappers: [] },
    { name: 'organization', attributes: { 'include.in.token.scope': 'true' }, protocolMappers: [] },
    {
      name: 'audience',
      attributes: { 'include.in.token.scope': 'false' },
      protocolMappers: [
        {
          name: 'aud',
          protocolMapper: 'oidc-audience-mapper',
          config: { 'included.client.audience': 'accanto-api' },
        },
      ],
    },
  ],
  clients: [],
  users: [],
  organizations: [
    {
      name: 'A',
      alias: 'org-a',
      enabled: true,
      attributes: { kind: ['partner'] },
      members: [{ username: 'both' }],
    },
    { name: 'B', alias: 'org-b', enabled: true, attributes: {}, members: [{ username: 'both' }] },
  ],
};
const client = {
  clientId: 'web',
  enabled: true,
  publicClient: true,
  bearerOnly: false,
  standardFlowEnabled: true,
  directAccessGrantsEnabled: true,
  serviceAccountsEnabled: false,
  redirectUris: [],
  attributes: {},
  defaultClientScopes: ['basic', 'roles', 'profile', 'organization', 'audience'],
  optionalClientScopes: [],
  protocolMappers: [],
};
const user = {
  id: '6f1c1f3e-8d2a-4b7e-9c3d-2a1b0c9d8e7f',
  username: 'both',
  enabled: true,
  emailVerified: true,
  firstName: 'Ada',
  lastName: 'Rossi',
  credentials: [],
  requiredActions: [],
  realmRoles: ['default-roles-accanto', 'operator'],
};
const claims = (scope?: string, override: Partial<typeof client> = {}) =>
  accessTokenClaims({
    realm,
    client: { ...client, ...override },
    user,
    issuer: 'http://idp/realms/accanto',
    scope,
    organizationClaimShape: 'array',
    jti: 'j',
    iat: 1,
    exp: 301,
  });

describe('organisation selection (Keycloak OrganizationScope)', () => {
  it.each([
    [['organization'], ['org-a'], ['org-a']],
    [['organization'], ['org-a', 'org-b'], []],
    [['organization:*'], ['org-a', 'org-b'], ['org-a', 'org-b']],
    [['organization', 'organization:org-b'], ['org-a', 'org-b'], ['org-b']],
    [['organization:org-c'], ['org-a', 'org-b'], []],
    [['profile'], ['org-a'], []],
  ])('scopes %j for a member of %j map %j', (scopes, memberOf, expected) => {
    expect(selectOrganizations(memberOf, scopes)).toEqual(expected);
  });

  it('writes the claim as an array, a string or an object keyed by alias', () => {
    expect(organizationClaim(realm, ['org-a'], 'array')).toEqual(['org-a']);
    expect(organizationClaim(realm, ['org-a'], 'string')).toBe('org-a');
    expect(organizationClaim(realm, ['org-a', 'org-b'], 'object')).toEqual({
      'org-a': { kind: ['partner'] },
      'org-b': {},
    });
    expect(organizationClaim(realm, [], 'array')).toBeUndefined();
  });
});

describe('access token claims', () => {
  it('follow Keycloak: single aud as a string, composite roles expanded, scope without the silent scopes', () => {
    expect(claims('openid organization:*')).toEqual({
      exp: 301,
      iat: 1,
      jti: 'j',
      iss: 'http://idp/realms/accanto',
      aud: 'accanto-api',
      sub: user.id,
      typ: 'Bearer',
      azp: 'web',
      realm_access: { roles: ['default-roles-accanto', 'offline_access', 'operator'] },
      scope: 'openid organization:* profile',
      organization: ['org-a', 'org-b'],
      name: 'Ada Rossi',
      preferred_username: 'both',
      given_name: 'Ada',
      family_name: 'Rossi',
    });
  });

  it('carry no sub without the basic scope, as in Keycloak 25 and later', () => {
    const payload = claims(undefined, { defaultClientScopes: ['roles', 'audience'] });
    expect(payload.sub).toBeUndefined();
    expect(payload.preferred_username).toBeUndefined();
  });
});
