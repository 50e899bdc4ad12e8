import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

// The subset of a Keycloak 26 realm export the development identity provider reads.
// deploy/keycloak/accanto-realm.json is the single source of truth (architecture.md §4).

const stringMap = z.record(z.string(), z.string());

const protocolMapperSchema = z.object({
  name: z.string(),
  protocolMapper: z.string(),
  config: stringMap.default({}),
});

const clientScopeSchema = z.object({
  name: z.string(),
  attributes: stringMap.default({}),
  protocolMappers: z.array(protocolMapperSchema).default([]),
});

const clientSchema = z.object({
  clientId: z.string(),
  enabled: z.boolean().default(true),
  publicClient: z.boolean().default(false),
  bearerOnly: z.boolean().default(false),
  secret: z.string().optional(),
  // Keycloak's defaults when a flag is absent from the export.
  standardFlowEnabled: z.boolean().default(true),
  directAccessGrantsEnabled: z.boolean().default(false),
  serviceAccountsEnabled: z.boolean().default(false),
  redirectUris: z.array(z.string()).default([]),
  attributes: stringMap.default({}),
  defaultClientScopes: z.array(z.string()).default([]),
  optionalClientScopes: z.array(z.string()).default([]),
  protocolMappers: z.array(protocolMapperSchema).default([]),
});

const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  enabled: z.boolean().default(true),
  email: z.string().optional(),
  emailVerified: z.boolean().default(false),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  credentials: z.array(z.object({ type: z.string(), value: z.string().optional() })).default([]),
  requiredActions: z.array(z.string()).default([]),
  realmRoles: z.array(z.string()).default([]),
  serviceAccountClientId: z.string().optional(),
});

const organizationSchema = z.object({
  name: z.string(),
  alias: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'organisation aliases are lower-case kebab'),
  enabled: z.boolean().default(true),
  attributes: z.record(z.string(), z.array(z.string())).default({}),
  members: z.array(z.object({ username: z.string() })).default([]),
});

const realmSchema = z.object({
  realm: z.string(),
  organizationsEnabled: z.literal(true),
  accessTokenLifespan: z.number().int().positive().default(300),
  attributes: stringMap.default({}),
  roles: z.object({
    realm: z.array(
      z.object({
        name: z.string(),
        composite: z.boolean().default(false),
        composites: z.object({ realm: z.array(z.string()).default([]) }).default({ realm: [] }),
      }),
    ),
  }),
  clientScopes: z.array(clientScopeSchema),
  clients: z.array(clientSchema),
  users: z.array(userSchema),
  organizations: z.array(organizationSchema),
});

export type Realm = z.infer<typeof realmSchema>;
export type RealmClient = Realm['clients'][number];
export type RealmUser = Realm['users'][number];
export type RealmOrganization = Realm['organizations'][number];

export type DemoUser = {
  username: string;
  id: string;
  organisations: string[];
  /** Realm roles assigned directly; Keycloak's `default-roles-…` composite is left out. */
  roles: string[];
  serviceAccountOf?: string;
};

/** deploy/keycloak/accanto-realm.json, found by walking up from this file (works from src and dist). */
export function defaultRealmFile(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'deploy', 'keycloak', 'accanto-realm.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir)
      throw new Error('deploy/keycloak/accanto-realm.json not found above ' + import.meta.dirname);
  }
}

export function loadRealm(file: string = defaultRealmFile()): Realm {
  const parsed = realmSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`invalid realm file ${file}:\n${z.prettifyError(parsed.error)}`);
  const problems = inconsistencies(parsed.data);
  if (problems.length > 0) throw new Error(`inconsistent realm file ${file}:\n- ${problems.join('\n- ')}`);
  return parsed.data;
}

// Keycloak imports dangling references with a warning at most (a missing scope silently drops its
// claims), so the file is checked here, where a mistake fails loudly.
function inconsistencies(realm: Realm): string[] {
  const problems: string[] = [];
  const roles = new Set(realm.roles.realm.map((role) => role.name));
  const scopes = new Set([...realm.clientScopes.map((scope) => scope.name), 'offline_access']);
  const usernames = new Set(realm.users.map((user) => user.username));
  const duplicates = (values: string[]) => values.filter((value, index) => values.indexOf(value) !== index);
  for (const id of duplicates(realm.users.map((user) => user.id)))
    problems.push(`user id ${id} is used twice`);
  for (const name of duplicates(realm.users.map((user) => user.username)))
    problems.push(`username ${name} is used twice`);
  for (const user of realm.users) {
    for (const role of user.realmRoles)
      if (!roles.has(role)) problems.push(`${user.username} has unknown role ${role}`);
    const client = realm.clients.find((candidate) => candidate.clientId === user.serviceAccountClientId);
    if (user.serviceAccountClientId && !client?.serviceAccountsEnabled)
      problems.push(
        `${user.username} is the service account of ${user.serviceAccountClientId}, which has none`,
      );
  }
  for (const client of realm.clients) {
    for (const scope of [...client.defaultClientScopes, ...client.optionalClientScopes])
      if (!scopes.has(scope)) problems.push(`client ${client.clientId} references unknown scope ${scope}`);
    if (issuesTokens(client) && audiencesOf(realm, client).length === 0)
      problems.push(`client ${client.clientId} has no audience mapper: its tokens would carry no aud`);
    if (client.serviceAccountsEnabled && !serviceAccountOf(realm, client.clientId))
      problems.push(`client ${client.clientId} has service accounts enabled but no service-account user`);
  }
  for (const organization of realm.organizations)
    for (const member of organization.members)
      if (!usernames.has(member.username))
        problems.push(`${organization.alias} lists unknown member ${member.username}`);
  return problems;
}

export function issuesTokens(client: RealmClient): boolean {
  return client.enabled && !client.bearerOnly;
}

export function findUser(realm: Realm, username: string): RealmUser | undefined {
  return realm.users.find((user) => user.username === username.toLowerCase());
}

export function serviceAccountOf(realm: Realm, clientId: string): RealmUser | undefined {
  return realm.users.find((user) => user.serviceAccountClientId === clientId);
}

/** Aliases of the enabled organisations the user is a member of. */
export function organisationsOf(realm: Realm, username: string): string[] {
  return realm.organizations
    .filter(
      (organization) => organization.enabled && organization.members.some((m) => m.username === username),
    )
    .map((organization) => organization.alias);
}

/** Assigned realm roles plus everything their composites grant, as Keycloak puts them in `realm_access.roles`. */
export function effectiveRoles(realm: Realm, user: RealmUser): string[] {
  const granted = new Set<string>();
  const visit = (name: string) => {
    if (granted.has(name)) return;
    granted.add(name);
    realm.roles.realm.find((role) => role.name === name)?.composites.realm.forEach(visit);
  };
  user.realmRoles.forEach(visit);
  return [...granted];
}

/** Client scopes applied to every token of the client (Keycloak "default" client scopes). */
export function defaultScopesOf(realm: Realm, client: RealmClient) {
  return realm.clientScopes.filter((scope) => client.defaultClientScopes.includes(scope.name));
}

/** `aud` values from the Audience mappers on the client and its default scopes. */
export function audiencesOf(realm: Realm, client: RealmClient): string[] {
  const mappers = [
    ...client.protocolMappers,
    ...defaultScopesOf(realm, client).flatMap((scope) => scope.protocolMappers),
  ];
  return [
    ...new Set(
      mappers
        .filter(
          (mapper) =>
            mapper.protocolMapper === 'oidc-audience-mapper' &&
            mapper.config['access.token.claim'] !== 'false',
        )
        .map(
          (mapper) => mapper.config['included.client.audience'] ?? mapper.config['included.custom.audience'],
        )
        .filter((audience): audience is string => Boolean(audience)),
    ),
  ];
}

export type Authentication =
  { user: RealmUser } | { refusal: 'invalid-credentials' | 'disabled' | 'not-set-up' };

/** Keycloak's username-and-password check: service accounts cannot sign in, required actions block direct grants. */
export function authenticate(realm: Realm, username: string, password: string): Authentication {
  const user = findUser(realm, username);
  const stored = user?.serviceAccountClientId
    ? undefined
    : user?.credentials.find((c) => c.type === 'password')?.value;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!user || stored === undefined || !timingSafeEqual(digest(stored), digest(password)))
    return { refusal: 'invalid-credentials' };
  if (!user.enabled) return { refusal: 'disabled' };
  if (user.requiredActions.length > 0) return { refusal: 'not-set-up' };
  return { user };
}

export function demoUsers(realm: Realm = loadRealm()): DemoUser[] {
  return realm.users.map((user) => ({
    username: user.username,
    id: user.id,
    organisations: organisationsOf(realm, user.username),
    roles: user.realmRoles.filter((role) => !role.startsWith('default-roles-')),
    ...(user.serviceAccountClientId ? { serviceAccountOf: user.serviceAccountClientId } : {}),
  }));
}
