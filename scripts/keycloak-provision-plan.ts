import { readFileSync } from 'node:fs';
import type ClientRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientRepresentation.js';
import type ClientScopeRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientScopeRepresentation.js';
import type OrganizationRepresentation from '@keycloak/keycloak-admin-client/lib/defs/organizationRepresentation.js';
import type RealmRepresentation from '@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js';
import type RoleRepresentation from '@keycloak/keycloak-admin-client/lib/defs/roleRepresentation.js';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import { loadRealm } from '#dev-identity';

// What `npm run keycloak:provision` does to a running Keycloak, decided without one: pure, so
// scripts/keycloak-provision.spec.ts tests it. scripts/keycloak-provision.ts reads the existing
// state through the admin REST API and carries the actions out.
// It only ever adds: nothing here deletes or overwrites what Keycloak already has.

type Member = { username: string; membershipType?: string };
type Organization = Omit<OrganizationRepresentation, 'members'> & { alias: string; members?: Member[] };

/** A Keycloak realm export as deploy/keycloak/accanto-realm.json holds it, checked by the dev identity provider's reader. */
export type RealmFile = Omit<
  RealmRepresentation,
  'realm' | 'roles' | 'clientScopes' | 'clients' | 'users'
> & {
  realm: string;
  roles: { realm: RoleRepresentation[] };
  clientScopes: ClientScopeRepresentation[];
  clients: Array<ClientRepresentation & { clientId: string }>;
  users: Array<UserRepresentation & { username: string }>;
  organizations: Organization[];
};

/** What the realm already has, by name (organisations by alias: Keycloak regenerates their ids on import). */
export type ExistingRealm = {
  organizationsEnabled: boolean;
  roles: string[];
  clientScopes: string[];
  clients: string[];
  /** Those of the file's usernames that exist. */
  users: string[];
  organizations: Array<{ alias: string; members: string[] }>;
};

export type ProvisioningOptions = { demoUsers: boolean; dryRun: boolean };

export type Action =
  | { kind: 'create-realm'; realm: RealmFile }
  | { kind: 'enable-organizations' }
  | { kind: 'create-client-scope'; scope: ClientScopeRepresentation }
  | {
      kind: 'partial-import';
      roles: RoleRepresentation[];
      clients: RealmFile['clients'];
      users: RealmFile['users'];
    }
  | { kind: 'create-organization'; organization: Organization }
  | { kind: 'add-member'; organization: string; username: string };

/** Validated by `loadRealm` (schema and cross-references), then taken whole: Keycloak wants every field. */
export function readRealmFile(file: string): RealmFile {
  let representation: unknown;
  try {
    representation = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read realm file ${file}: ${(error as Error).message}`, { cause: error });
  }
  loadRealm(file);
  return representation as RealmFile;
}

export function parseArguments(args: string[]): ProvisioningOptions {
  const known = ['--demo-users', '--dry-run'];
  const unknown = args.filter((arg) => !known.includes(arg));
  if (unknown.length > 0)
    throw new Error(
      `unknown argument ${unknown.join(' ')}; usage: keycloak:provision [--demo-users] [--dry-run]`,
    );
  return { demoUsers: args.includes('--demo-users'), dryRun: args.includes('--dry-run') };
}

// Service accounts belong to their clients, not to the demo: no credentials, and without them an
// integration client would lack its `operator` role and its organisation (Keycloak would make a bare one).
const isServiceAccount = (user: UserRepresentation) => Boolean(user.serviceAccountClientId);

function isConfidential(client: ClientRepresentation): boolean {
  return !client.publicClient && !client.bearerOnly;
}

/** The file as it may be applied: without --demo-users no people, no passwords and no client secrets. */
function applicable(file: RealmFile, options: Pick<ProvisioningOptions, 'demoUsers'>) {
  if (options.demoUsers) return { clients: file.clients, users: file.users };
  return {
    clients: file.clients.map(({ secret: _secret, ...client }) => client),
    users: file.users
      .filter(isServiceAccount)
      .map(({ credentials: _credentials, ...serviceAccount }) => serviceAccount),
  };
}

export function provisioningPlan(
  file: RealmFile,
  existing: ExistingRealm | undefined,
  options: Pick<ProvisioningOptions, 'demoUsers'>,
): Action[] {
  const { clients, users } = applicable(file, options);
  const membersAmong = (organization: Organization, usernames: Set<string>) =>
    (organization.members ?? []).filter((member) => usernames.has(member.username));

  if (!existing) {
    // Keycloak's realm import, as `--import-realm` does it; a member who is not a user would break it.
    const usernames = new Set(users.map((user) => user.username));
    const organizations = file.organizations.map((organization) => ({
      ...organization,
      members: membersAmong(organization, usernames),
    }));
    return [{ kind: 'create-realm', realm: { ...file, clients, users, organizations } }];
  }

  const missing = <T>(items: T[], key: (item: T) => string | undefined, present: string[]) =>
    items.filter((item) => !present.includes(key(item) ?? ''));
  const actions: Action[] = [];
  if (!existing.organizationsEnabled && file.organizations.length > 0)
    actions.push({ kind: 'enable-organizations' });
  // Before the clients, which name their scopes (the partial import endpoint takes no client scopes).
  for (const scope of missing(file.clientScopes, (s) => s.name, existing.clientScopes))
    actions.push({ kind: 'create-client-scope', scope });
  const imported = {
    roles: missing(file.roles.realm, (role) => role.name, existing.roles),
    clients: missing(clients, (client) => client.clientId, existing.clients),
    users: missing(users, (user) => user.username, existing.users),
  };
  if (imported.roles.length + imported.clients.length + imported.users.length > 0)
    actions.push({ kind: 'partial-import', ...imported });

  const usernames = new Set([...existing.users, ...imported.users.map((user) => user.username)]);
  for (const organization of file.organizations) {
    const present = existing.organizations.find((candidate) => candidate.alias === organization.alias);
    if (!present) {
      const { members: _members, ...bare } = organization;
      actions.push({ kind: 'create-organization', organization: bare });
    }
    for (const member of membersAmong(organization, usernames))
      if (!present?.members.includes(member.username))
        actions.push({ kind: 'add-member', organization: organization.alias, username: member.username });
  }
  return actions;
}

/** One line per change; names only, never a password or a secret. */
export function describeAction(action: Action, realmName: string): string[] {
  switch (action.kind) {
    case 'create-realm': {
      const { realm } = action;
      const people = realm.users.filter((user) => !isServiceAccount(user)).length;
      const members = realm.organizations.reduce((sum, o) => sum + (o.members?.length ?? 0), 0);
      return [
        `create realm ${realm.realm}: ${realm.roles.realm.length} realm roles, ${realm.clientScopes.length} client scopes, ` +
          `${realm.clients.length} clients, ${realm.users.length - people} service accounts, ${people} demo users, ` +
          `${realm.organizations.length} organisations with ${members} memberships`,
      ];
    }
    case 'enable-organizations':
      return [`enable organisations in realm ${realmName}`];
    case 'create-client-scope':
      return [`create client scope ${action.scope.name}`];
    case 'partial-import':
      return [
        ...action.roles.map((role) => `create realm role ${role.name}`),
        ...action.clients.map((client) => `create client ${client.clientId}`),
        ...action.users.map(
          (user) => `create ${isServiceAccount(user) ? 'service account' : 'user'} ${user.username}`,
        ),
      ];
    case 'create-organization':
      return [`create organisation ${action.organization.alias}`];
    case 'add-member':
      return [`add ${action.username} to organisation ${action.organization}`];
  }
}

/** Clients that get a secret Keycloak generates (the file's is a development one and stays out). */
export function clientsWithGeneratedSecrets(actions: Action[]): string[] {
  const created = actions.flatMap((action) =>
    action.kind === 'create-realm'
      ? action.realm.clients
      : action.kind === 'partial-import'
        ? action.clients
        : [],
  );
  return created
    .filter((client) => isConfidential(client) && !client.secret)
    .map((client) => client.clientId);
}

/** Prints every change, applies it unless this is a dry run, then a summary. */
export async function carryOut(
  actions: Action[],
  realmName: string,
  options: Pick<ProvisioningOptions, 'dryRun'>,
  apply: (action: Action) => Promise<void>,
  print: (line: string) => void,
): Promise<void> {
  let changes = 0;
  for (const action of actions) {
    const lines = describeAction(action, realmName);
    changes += lines.length;
    for (const line of lines) print(options.dryRun ? `would ${line}` : line);
    if (!options.dryRun) await apply(action);
  }
  const counted = `${changes} change${changes === 1 ? '' : 's'}`;
  if (actions.length === 0) print(`nothing to do: realm ${realmName} already has everything the file adds`);
  else if (options.dryRun) print(`dry run: ${counted} planned, nothing changed`);
  else print(`done: ${counted} applied`);
}
