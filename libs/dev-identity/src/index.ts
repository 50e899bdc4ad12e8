export {
  startDevIdentityProvider,
  type DevIdentityOptions,
  type DevIdentityProvider,
} from './dev-identity.js';
export {
  accessTokenClaims,
  organizationClaim,
  organizationClaimShapeOf,
  selectOrganizations,
  type OrganizationClaimShape,
} from './claims.js';
export {
  defaultRealmFile,
  demoUsers,
  loadRealm,
  type DemoUser,
  type Realm,
  type RealmClient,
  type RealmOrganization,
  type RealmUser,
} from './realm.js';
