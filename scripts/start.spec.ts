import { describe, expect, it } from '@jest/globals';
import { demoUsers, loadRealm, type DemoUser } from '#dev-identity';
import {
  apps,
  banner,
  compressRuns,
  describeDemoUsers,
  serviceIndex,
  tryItCommand,
  withoutPassword,
  type RunningSystem,
} from './start-plan.js';

const system: RunningSystem = {
  entryUrl: 'http://localhost:8080',
  apps: apps.map((app) => ({ ...app, upstream: 'http://127.0.0.1:40001' })),
  identity: {
    kind: 'development',
    issuer: 'http://localhost:8080/realms/accanto',
    upstream: 'http://127.0.0.1:40002',
  },
  database: { url: 'postgres://postgres:postgres@127.0.0.1:54320/postgres', origin: 'embedded' },
  nats: { url: 'nats://127.0.0.1:4222', origin: 'already running on localhost' },
};

const user = (username: string, organisations: string[], roles: string[], extra: Partial<DemoUser> = {}) => ({
  username,
  id: username,
  organisations,
  roles,
  ...extra,
});

describe('the apps npm start runs', () => {
  it('each has its own prefix and database', () => {
    expect(new Set(apps.map((app) => app.prefix)).size).toBe(apps.length);
    expect(new Set(apps.map((app) => app.database)).size).toBe(apps.length);
    expect(apps).toContainEqual(
      expect.objectContaining({ name: 'people', prefix: 'people', database: 'accanto_people' }),
    );
  });
});

describe('compressRuns', () => {
  it.each([
    [['partner-04', 'partner-05', 'partner-06'], ['partner-04 … partner-06']],
    [
      ['a', 'partner-04', 'partner-05'],
      ['a', 'partner-04', 'partner-05'],
    ],
    [
      ['p-1', 'p-2', 'p-4', 'p-5', 'p-6'],
      ['p-1', 'p-2', 'p-4 … p-6'],
    ],
    [['p-09', 'p-10', 'p-11'], ['p-09 … p-11']],
    [
      ['p-9', 'p-10', 'p-11'],
      ['p-9', 'p-10', 'p-11'],
    ],
    [
      ['x1', 'y2', 'z3'],
      ['x1', 'y2', 'z3'],
    ],
  ])('%j → %j', (names, expected) => {
    expect(compressRuns(names)).toEqual(expected);
  });
});

describe('describeDemoUsers', () => {
  it('lists each kind of account once with its organisations; other users and service accounts apart', () => {
    const lines = describeDemoUsers([
      user('a.operator', ['a'], ['operator']),
      user('b.operator', ['b'], ['operator']),
      user('a.coordinator', ['a'], ['coordinator']),
      user('b.coordinator', ['b'], ['coordinator']),
      user('r.desk', ['r'], ['residence-desk']),
      user('both.operator', ['a', 'b'], ['operator']),
      user('service-account-x', ['a'], ['operator'], { serviceAccountOf: 'x' }),
    ]);
    expect(lines.map((line) => line.replace(/ +/g, ' '))).toEqual([
      'operator, coordinator a, b',
      'desk (role residence-desk) r',
      'both.operator operator in a and b',
    ]);
  });

  it('accounts for every user of the realm file that signs in with a password', () => {
    const users = demoUsers(loadRealm());
    const rows = describeDemoUsers(users).map((line) => line.split(/ {2,}/) as [string, string]);
    // `partner-04 … partner-16` back to the names it stands for.
    const expand = (list: string) =>
      list.split(', ').flatMap((item) => {
        const range = /^(.*?)(\d+) … \1(\d+)$/.exec(item);
        if (!range) return [item];
        const [, stem, from, to] = range;
        return Array.from(
          { length: Number(to) - Number(from) + 1 },
          (_, i) => `${stem}${String(Number(from) + i).padStart(from.length, '0')}`,
        );
      });
    const listed = new Set(
      rows.flatMap(([accounts, organisations]) =>
        accounts.includes('.')
          ? [accounts]
          : accounts
              .split(', ')
              .flatMap((account) =>
                expand(organisations).map((organisation) => `${organisation}.${account.split(' ')[0]}`),
              ),
      ),
    );
    expect([...listed].sort()).toEqual(
      users
        .filter((u) => !u.serviceAccountOf)
        .map((u) => u.username)
        .sort(),
    );
  });
});

describe('the banner', () => {
  const text = banner(system, demoUsers(loadRealm()), true);

  it('starts with the line scripts wait for', () => {
    expect(text.split('\n')[0]).toBe('Accanto is up on http://localhost:8080  (Ctrl-C stops everything)');
  });

  it('shows the docs, OpenAPI and discovery URLs on the entry port, and no database password', () => {
    expect(text).toContain('http://localhost:8080/people/docs');
    expect(text).toContain('http://localhost:8080/people/openapi.json');
    expect(text).toContain('http://localhost:8080/realms/accanto/.well-known/openid-configuration');
    expect(text).toContain('postgres://postgres:***@127.0.0.1:54320/postgres');
    expect(text).not.toContain('postgres:postgres@');
  });

  it('says when the identity provider is the development one', () => {
    expect(text).toMatch(/NOT Keycloak/);
    const keycloak = banner(
      { ...system, identity: { ...system.identity, kind: 'keycloak', upstream: 'http://kc:8081' } },
      [],
      true,
    );
    expect(keycloak).toContain('Keycloak at http://kc:8081');
  });
});

describe('tryItCommand', () => {
  it('gets a token through the entry port with the password grant, with jq or with sed', () => {
    const withJq = tryItCommand('http://localhost:8080', 'cri-milano.operator', true);
    expect(withJq).toContain('curl -s http://localhost:8080/realms/accanto/protocol/openid-connect/token');
    expect(withJq).toContain(
      '-d grant_type=password -d client_id=accanto-web -d username=cri-milano.operator',
    );
    expect(withJq).toContain('| jq -r .access_token)');
    expect(withJq).toContain(
      'curl -s http://localhost:8080/people/persons -H "Authorization: Bearer $TOKEN"',
    );
    expect(tryItCommand('http://localhost:8080', 'x', false)).toContain(
      `| sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    );
  });

  it('the sed fallback extracts the token from a token response', () => {
    const token = 'eyJ.a-b_c.d';
    const response = JSON.stringify({ access_token: token, expires_in: 300, token_type: 'Bearer' });
    // The same expression as the printed command, in JavaScript.
    expect(response.replace(/.*"access_token":"([^"]+)".*/, '$1')).toBe(token);
  });
});

describe('serviceIndex', () => {
  it('lists each app with its docs and the identity provider’s endpoints on the entry port', () => {
    expect(serviceIndex(system)).toEqual({
      name: 'accanto',
      services: [
        {
          name: 'people',
          title: 'People registry',
          url: 'http://localhost:8080/people',
          docs: 'http://localhost:8080/people/docs',
          openapi: 'http://localhost:8080/people/openapi.json',
          ready: 'http://localhost:8080/people/health/ready',
          upstream: 'http://127.0.0.1:40001',
        },
        {
          name: 'outings',
          title: 'Street outings',
          url: 'http://localhost:8080/outings',
          docs: 'http://localhost:8080/outings/docs',
          openapi: 'http://localhost:8080/outings/openapi.json',
          ready: 'http://localhost:8080/outings/health/ready',
          upstream: 'http://127.0.0.1:40001',
        },
      ],
      identity: {
        kind: 'development',
        issuer: 'http://localhost:8080/realms/accanto',
        discovery: 'http://localhost:8080/realms/accanto/.well-known/openid-configuration',
        token: 'http://localhost:8080/realms/accanto/protocol/openid-connect/token',
        upstream: 'http://127.0.0.1:40002',
      },
    });
  });

  it('withoutPassword leaves URLs without one alone', () => {
    expect(withoutPassword('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
  });
});
