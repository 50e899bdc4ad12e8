import { resolve } from 'node:path';
import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { z } from 'zod';
import { defaultRealmFile } from '#dev-identity';
import {
  carryOut,
  clientsWithGeneratedSecrets,
  parseArguments,
  provisioningPlan,
  readRealmFile,
  type Action,
  type ExistingRealm,
  type RealmFile,
} from './keycloak-provision-plan.js';

// `npm run keycloak:provision -- [--demo-users] [--dry-run]`: applies deploy/keycloak/accanto-realm.json
// to a running Keycloak through the admin REST API (architecture.md §4; deploy/keycloak/README.md).
// Creates the realm when it is missing, otherwise adds what it lacks; never deletes or overwrites.
//   KEYCLOAK_URL                              e.g. http://localhost:8080
//   KEYCLOAK_ADMIN, KEYCLOAK_ADMIN_PASSWORD   an admin of the master realm (password grant, admin-cli)
//   KEYCLOAK_REALM_FILE                       default deploy/keycloak/accanto-realm.json
const environment = z
  .object({
    KEYCLOAK_URL: z.url({ protocol: /^https?$/ }),
    KEYCLOAK_ADMIN: z.string().min(1),
    KEYCLOAK_ADMIN_PASSWORD: z.string().min(1),
    KEYCLOAK_REALM_FILE: z.string().optional(),
  })
  .safeParse(process.env);
if (!environment.success) {
  // Names only: a value could be the password.
  const names = environment.error.issues.map((issue) => issue.path.join('.'));
  fail(`set ${names.join(', ')} (KEYCLOAK_URL as a URL, e.g. http://localhost:8080)`, 2);
}
const config = { ...environment.data, KEYCLOAK_URL: environment.data.KEYCLOAK_URL.replace(/\/$/, '') };
const realmFile = config.KEYCLOAK_REALM_FILE ? resolve(config.KEYCLOAK_REALM_FILE) : defaultRealmFile();
const options = (() => {
  try {
    return parseArguments(process.argv.slice(2));
  } catch (error) {
    return fail((error as Error).message, 2);
  }
})();
const pageSize = 100;

function fail(message: string, code = 1): never {
  console.error(`keycloak:provision: ${message}`);
  process.exit(code);
}

function explain(error: unknown): string {
  if (error instanceof NetworkError) {
    const { status, url } = error.response;
    const path = new URL(url).pathname;
    if (path.endsWith('/protocol/openid-connect/token'))
      return `Keycloak refused the admin credentials (KEYCLOAK_ADMIN in realm master, client admin-cli): ${status} ${error.message}`;
    return `Keycloak answered ${status} to ${path}: ${error.message}`;
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    return `cannot reach Keycloak at ${config.KEYCLOAK_URL}: ${cause?.code ?? cause?.message ?? 'fetch failed'}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function allPages<T>(page: (first: number, max: number) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let first = 0; ; first += pageSize) {
    const items = await page(first, pageSize);
    all.push(...items);
    if (items.length < pageSize) return all;
  }
}

// Every call names the realm: the client's own realm stays master, where its token refreshes.
async function userId(kc: KeycloakAdminClient, realm: string, username: string) {
  const [user] = await kc.users.find({ realm, username, exact: true });
  return user?.id;
}

function organizationsOf(kc: KeycloakAdminClient, realm: string) {
  return allPages((first, max) => kc.organizations.find({ realm, first, max }));
}

async function readExisting(kc: KeycloakAdminClient, file: RealmFile): Promise<ExistingRealm | undefined> {
  const realm = file.realm;
  const representation = await kc.realms.findOne({ realm });
  if (!representation) return undefined;
  const organizationsEnabled = representation.organizationsEnabled ?? false;
  const [roles, clientScopes, organizations] = await Promise.all([
    kc.roles.find({ realm }),
    kc.clientScopes.find({ realm }),
    // The organisation endpoints answer 404 while the realm has organisations off.
    organizationsEnabled ? organizationsOf(kc, realm) : [],
  ]);
  // One query per name in the file: a production realm may hold far more users and clients.
  const clients = await Promise.all(
    file.clients.map((c) => kc.clients.find({ realm, clientId: c.clientId })),
  );
  const userIds = await Promise.all(file.users.map((user) => userId(kc, realm, user.username)));
  const aliases = new Set(file.organizations.map((organization) => organization.alias));
  return {
    organizationsEnabled,
    roles: roles.map((role) => role.name ?? ''),
    clientScopes: clientScopes.map((scope) => scope.name ?? ''),
    clients: clients.flat().map((client) => client.clientId ?? ''),
    users: file.users.filter((_, index) => userIds[index]).map((user) => user.username),
    organizations: await Promise.all(
      organizations
        .filter((organization) => aliases.has(organization.alias ?? ''))
        .map(async (organization) => ({
          alias: organization.alias ?? '',
          members: (
            await allPages((first, max) =>
              kc.organizations.listMembers({ realm, orgId: organization.id ?? '', first, max }),
            )
          ).map((member) => member.username ?? ''),
        })),
    ),
  };
}

function applier(kc: KeycloakAdminClient, realm: string) {
  const organizationIds = new Map<string, string>();
  const organizationId = async (alias: string) => {
    if (!organizationIds.has(alias)) {
      for (const organization of await organizationsOf(kc, realm))
        organizationIds.set(organization.alias ?? '', organization.id ?? '');
    }
    const id = organizationIds.get(alias);
    if (!id) throw new Error(`organisation ${alias} not found`);
    return id;
  };
  return async (action: Action): Promise<void> => {
    switch (action.kind) {
      case 'create-realm':
        await kc.realms.create(action.realm);
        return;
      case 'enable-organizations':
        await kc.realms.update({ realm }, { organizationsEnabled: true });
        return;
      case 'create-client-scope':
        await kc.clientScopes.create({ ...action.scope, realm });
        return;
      case 'partial-import': {
        const { roles, clients, users } = action;
        const result = await kc.realms.partialImport({
          realm,
          rep: { ifResourceExists: 'SKIP', roles: { realm: roles }, clients, users },
        });
        // Skipped: created by someone else since the existing state was read; left as it is.
        for (const skipped of result.results.filter((r) => r.action === 'SKIPPED'))
          console.log(`  already there, skipped: ${skipped.resourceType} ${skipped.resourceName}`);
        return;
      }
      case 'create-organization': {
        const { id } = await kc.organizations.create({ ...action.organization, realm });
        organizationIds.set(action.organization.alias, id);
        return;
      }
      case 'add-member': {
        const id = await userId(kc, realm, action.username);
        if (!id) throw new Error(`user ${action.username} not found in realm ${realm}`);
        const orgId = await organizationId(action.organization);
        await kc.organizations.addMember({ realm, orgId, userId: id });
        return;
      }
    }
  };
}

try {
  const file = readRealmFile(realmFile);
  const kc = new KeycloakAdminClient({ baseUrl: config.KEYCLOAK_URL, realmName: 'master' });
  await kc.auth({
    grantType: 'password',
    clientId: 'admin-cli',
    username: config.KEYCLOAK_ADMIN,
    password: config.KEYCLOAK_ADMIN_PASSWORD,
  });
  console.log(
    `${options.dryRun ? 'dry run: ' : ''}${realmFile} → ${config.KEYCLOAK_URL}, realm ${file.realm}, ` +
      (options.demoUsers
        ? 'with demo users and development secrets'
        : 'without demo users or development secrets (--demo-users adds them)'),
  );
  const existing = await readExisting(kc, file);
  const actions = provisioningPlan(file, existing, options);
  await carryOut(actions, file.realm, options, applier(kc, file.realm), (line) => console.log(line));
  const generated = clientsWithGeneratedSecrets(actions);
  if (generated.length > 0)
    console.log(
      `${generated.length} confidential clients ${options.dryRun ? 'would get' : 'got'} a secret generated by Keycloak ` +
        `(${generated.join(', ')}); it is not printed. An admin reads it in the admin console ` +
        `(realm ${file.realm} → Clients → <client> → Credentials) or with ` +
        `GET ${config.KEYCLOAK_URL}/admin/realms/${file.realm}/clients/<id>/client-secret.`,
    );
} catch (error) {
  fail(explain(error));
}
