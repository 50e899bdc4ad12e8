import { describe, expect, it, jest } from '@jest/globals';
import { defaultRealmFile } from '#dev-identity';
import {
  carryOut,
  clientsWithGeneratedSecrets,
  describeAction,
  parseArguments,
  provisioningPlan,
  readRealmFile,
  type Action,
  type ExistingRealm,
  type RealmFile,
} from './keycloak-provision-plan.js';

const file = readRealmFile(defaultRealmFile());
const withoutDemo = { demoUsers: false };
const withDemo = { demoUsers: true };
const serviceAccounts = file.users.filter((user) => user.serviceAccountClientId).map((user) => user.username);

/** A realm that already has everything in the file; tests take pieces away or add strangers. */
const existingRealm = (overrides: Partial<ExistingRealm> = {}): ExistingRealm => ({
  organizationsEnabled: true,
  roles: file.roles.realm.map((role) => role.name ?? ''),
  clientScopes: file.clientScopes.map((scope) => scope.name ?? ''),
  clients: file.clients.map((client) => client.clientId),
  users: file.users.map((user) => user.username),
  organizations: file.organizations.map((organization) => ({
    alias: organization.alias,
    members: (organization.members ?? []).map((member) => member.username),
  })),
  ...overrides,
});

const createdRealm = (actions: Action[]): RealmFile => {
  expect(actions).toHaveLength(1);
  const [action] = actions;
  if (action.kind !== 'create-realm') throw new Error(`expected create-realm, got ${action.kind}`);
  return action.realm;
};

const kinds = (actions: Action[]) => actions.map((action) => action.kind);

describe('a realm Keycloak does not have', () => {
  it('is created from the file without people, passwords or client secrets by default', () => {
    const realm = createdRealm(provisioningPlan(file, undefined, withoutDemo));

    expect(realm.realm).toBe('accanto');
    expect(realm.roles.realm).toEqual(file.roles.realm);
    expect(realm.clientScopes).toEqual(file.clientScopes);
    expect(realm.clients.map((client) => client.clientId)).toEqual(file.clients.map((c) => c.clientId));
    expect(realm.clients.filter((client) => 'secret' in client)).toEqual([]);
    // Service accounts stay: they carry the integration clients' role and organisation.
    expect(realm.users.map((user) => user.username)).toEqual(serviceAccounts);
    expect(realm.users.filter((user) => 'credentials' in user)).toEqual([]);
    expect(realm.organizations.map((o) => o.alias)).toEqual(file.organizations.map((o) => o.alias));
    const members = realm.organizations.flatMap((o) => (o.members ?? []).map((member) => member.username));
    expect(members.sort()).toEqual([...serviceAccounts].sort());
  });

  it('is created with the demo users, their passwords and the clients secrets with --demo-users', () => {
    const realm = createdRealm(provisioningPlan(file, undefined, withDemo));

    expect(realm.users).toEqual(file.users);
    expect(realm.clients).toEqual(file.clients);
    expect(realm.organizations).toEqual(file.organizations);
  });

  it('leaves Keycloak to generate the confidential clients secrets, and says which', () => {
    const integrationClients = file.clients
      .filter((client) => client.clientId.startsWith('integration-'))
      .map((client) => client.clientId);

    expect(clientsWithGeneratedSecrets(provisioningPlan(file, undefined, withoutDemo))).toEqual(
      integrationClients,
    );
    expect(clientsWithGeneratedSecrets(provisioningPlan(file, undefined, withDemo))).toEqual([]);
  });
});

describe('a realm Keycloak has', () => {
  it('gets nothing when it already has everything', () => {
    expect(provisioningPlan(file, existingRealm(), withDemo)).toEqual([]);
    expect(provisioningPlan(file, existingRealm(), withoutDemo)).toEqual([]);
  });

  it('gets only the organisations it lacks, keyed on alias, and their members who are users', () => {
    const existing = existingRealm({
      users: serviceAccounts,
      organizations: existingRealm().organizations.filter((o) => o.alias !== 'casa-della-carita'),
    });

    const actions = provisioningPlan(file, existing, withoutDemo);

    expect(actions).toEqual([
      {
        kind: 'create-organization',
        organization: expect.objectContaining({ alias: 'casa-della-carita', name: expect.any(String) }),
      },
      {
        kind: 'add-member',
        organization: 'casa-della-carita',
        username: 'service-account-integration-casa-della-carita',
      },
    ]);
    // Members are added one by one after the organisation exists.
    expect(actions[0]).not.toHaveProperty('organization.members');
  });

  it('gets only the memberships it lacks', () => {
    const existing = existingRealm({
      organizations: existingRealm().organizations.map((o) =>
        o.alias === 'cri-milano' ? { ...o, members: o.members.filter((m) => m !== 'cri-milano.lead') } : o,
      ),
    });

    expect(provisioningPlan(file, existing, withDemo)).toEqual([
      { kind: 'add-member', organization: 'cri-milano', username: 'cri-milano.lead' },
    ]);
  });

  it('adds the demo users with --demo-users, then their memberships; without it neither', () => {
    const existing = existingRealm({
      users: serviceAccounts,
      organizations: existingRealm().organizations.map((o) => ({
        ...o,
        members: o.members.filter((member) => serviceAccounts.includes(member)),
      })),
    });

    expect(provisioningPlan(file, existing, withoutDemo)).toEqual([]);
    const actions = provisioningPlan(file, existing, withDemo);
    expect(kinds(actions)[0]).toBe('partial-import');
    const [partialImport] = actions;
    if (partialImport.kind !== 'partial-import') throw new Error('expected a partial import');
    expect(partialImport.users.map((user) => user.username)).toEqual(
      file.users.map((user) => user.username).filter((name) => !serviceAccounts.includes(name)),
    );
    expect(partialImport.users.every((user) => user.credentials?.length)).toBe(true);
    expect(actions).toContainEqual({
      kind: 'add-member',
      organization: 'volontari-milano-aperta',
      username: 'multi-org.operator',
    });
    expect(actions).toContainEqual({
      kind: 'add-member',
      organization: 'casa-della-carita',
      username: 'multi-org.operator',
    });
  });

  it('gets missing scopes before the clients that name them, and missing roles and clients without secrets', () => {
    const existing = existingRealm({
      roles: existingRealm().roles.filter((role) => role !== 'auditor'),
      clientScopes: existingRealm().clientScopes.filter((scope) => scope !== 'accanto-api-audience'),
      clients: existingRealm().clients.filter((client) => client !== 'integration-partner-16'),
      users: existingRealm().users.filter((user) => user !== 'service-account-integration-partner-16'),
    });

    const actions = provisioningPlan(file, existing, withoutDemo);

    expect(kinds(actions)).toEqual(['create-client-scope', 'partial-import']);
    expect(actions[1]).toMatchObject({
      roles: [{ name: 'auditor' }],
      clients: [{ clientId: 'integration-partner-16' }],
      users: [{ username: 'service-account-integration-partner-16' }],
    });
    expect(actions[1]).not.toHaveProperty('clients.0.secret');
    expect(actions.flatMap((action) => describeAction(action, 'accanto'))).toEqual([
      'create client scope accanto-api-audience',
      'create realm role auditor',
      'create client integration-partner-16',
      'create service account service-account-integration-partner-16',
    ]);
  });

  it('turns organisations on when the realm has them off', () => {
    expect(
      kinds(provisioningPlan(file, existingRealm({ organizationsEnabled: false }), withoutDemo)),
    ).toEqual(['enable-organizations']);
  });

  it('deletes nothing: what Keycloak has beyond the file stays untouched', () => {
    const existing = existingRealm({
      roles: [...existingRealm().roles, 'admin-of-something'],
      clientScopes: [...existingRealm().clientScopes, 'phone'],
      clients: [...existingRealm().clients, 'grafana'],
      users: [...existingRealm().users, 'somebody.else'],
      organizations: [
        ...existingRealm().organizations.map((o) => ({ ...o, members: [...o.members, 'somebody.else'] })),
        { alias: 'not-in-the-file', members: ['somebody.else'] },
      ],
    });

    expect(provisioningPlan(file, existing, withDemo)).toEqual([]);
  });
});

describe('carryOut', () => {
  const actions: Action[] = [
    { kind: 'create-organization', organization: { alias: 'cri-milano', name: 'CRI' } },
    { kind: 'add-member', organization: 'cri-milano', username: 'cri-milano.lead' },
  ];

  it('in a dry run prints what it would do and changes nothing', async () => {
    const apply = jest.fn(async (_action: Action) => {});
    const lines: string[] = [];

    await carryOut(actions, 'accanto', { dryRun: true }, apply, (line) => lines.push(line));

    expect(apply).not.toHaveBeenCalled();
    expect(lines).toEqual([
      'would create organisation cri-milano',
      'would add cri-milano.lead to organisation cri-milano',
      'dry run: 2 changes planned, nothing changed',
    ]);
  });

  it('otherwise applies each action in order, one line per change', async () => {
    const apply = jest.fn(async (_action: Action) => {});
    const lines: string[] = [];

    await carryOut(actions, 'accanto', { dryRun: false }, apply, (line) => lines.push(line));

    expect(apply.mock.calls.map(([action]) => action)).toEqual(actions);
    expect(lines).toEqual([
      'create organisation cri-milano',
      'add cri-milano.lead to organisation cri-milano',
      'done: 2 changes applied',
    ]);
  });

  it('never prints a password or a secret', async () => {
    const lines: string[] = [];

    await carryOut(
      provisioningPlan(file, undefined, withDemo),
      'accanto',
      { dryRun: true },
      async () => {},
      (line) => lines.push(line),
    );
    const partial = existingRealm({ users: [], clients: [] });
    await carryOut(
      provisioningPlan(file, partial, withDemo),
      'accanto',
      { dryRun: true },
      async () => {},
      (line) => lines.push(line),
    );

    expect(lines.join('\n')).not.toContain('accanto-dev');
  });
});

describe('parseArguments', () => {
  it('takes --demo-users and --dry-run, and nothing else', () => {
    expect(parseArguments([])).toEqual({ demoUsers: false, dryRun: false });
    expect(parseArguments(['--dry-run', '--demo-users'])).toEqual({ demoUsers: true, dryRun: true });
    expect(() => parseArguments(['--overwrite'])).toThrow(/unknown argument --overwrite/);
  });
});
