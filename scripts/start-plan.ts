import type { DemoUser } from '#dev-identity';

// What `npm start` runs and how it describes it: pure, so scripts/start.spec.ts can test it
// without starting anything (scripts/start.ts is an entry point and starts everything on import).

export type AppSpec = {
  /** Directory under apps/ and the prefix of its output lines. */
  name: string;
  /** Path prefix on the entry port; the app serves its routes, docs and health under it too. */
  prefix: string;
  /** Its own database on the shared server (the app provisions and migrates it). */
  database: string;
  title: string;
};

/** Every app `npm start` runs; a new app is one more line here. */
export const apps: AppSpec[] = [
  { name: 'people', prefix: 'people', database: 'accanto_people', title: 'People registry' },
  { name: 'outings', prefix: 'outings', database: 'accanto_street_outings', title: 'Street outings' },
];

export const realmName = 'accanto';
export const demoPassword = 'accanto-dev';
export const demoClient = 'accanto-web';

export type Source = { url: string; origin: string };

export type RunningSystem = {
  entryUrl: string;
  apps: Array<AppSpec & { upstream: string }>;
  identity: { kind: 'development' | 'keycloak'; issuer: string; upstream: string };
  database: Source;
  nats: Source;
};

/** `/realms/accanto/...` on the entry port, whichever identity provider is behind it. */
export function realmUrl(entryUrl: string, path = ''): string {
  return `${entryUrl}/realms/${realmName}${path}`;
}

export function appUrls(entryUrl: string, app: Pick<AppSpec, 'prefix'>) {
  const base = `${entryUrl}/${app.prefix}`;
  return { url: base, docs: `${base}/docs`, openapi: `${base}/openapi.json`, ready: `${base}/health/ready` };
}

/** The JSON answered at `/` on the entry port. */
export function serviceIndex(system: RunningSystem) {
  return {
    name: 'accanto',
    services: system.apps.map((app) => ({
      name: app.name,
      title: app.title,
      ...appUrls(system.entryUrl, app),
      upstream: app.upstream,
    })),
    identity: {
      kind: system.identity.kind,
      issuer: system.identity.issuer,
      discovery: realmUrl(system.entryUrl, '/.well-known/openid-configuration'),
      token: realmUrl(system.entryUrl, '/protocol/openid-connect/token'),
      upstream: system.identity.upstream,
    },
  };
}

/** Same URL without its password: the banner may end up in a shared terminal or a bug report. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** `partner-04, partner-05, …, partner-16` → `partner-04 … partner-16` (runs of three or more). */
export function compressRuns(names: string[]): string[] {
  const numbered = names.map((name) => /^(.*?)(\d+)$/.exec(name));
  const out: string[] = [];
  for (let start = 0; start < names.length;) {
    let end = start;
    const first = numbered[start];
    while (first && end + 1 < names.length) {
      const next = numbered[end + 1];
      const continues =
        next &&
        next[1] === first[1] &&
        next[2].length === first[2].length &&
        Number(next[2]) === Number(numbered[end]![2]) + 1;
      if (!continues) break;
      end++;
    }
    if (end - start >= 2) out.push(`${names[start]} … ${names[end]}`);
    else out.push(...names.slice(start, end + 1));
    start = end + 1;
  }
  return out;
}

/**
 * The realm names single-organisation users `<organisation>.<account>`: list each kind of account
 * once with the organisations that have it, and the users that do not follow the pattern apart.
 */
export function describeDemoUsers(users: DemoUser[]): string[] {
  const accounts = new Map<string, string[]>();
  const others: DemoUser[] = [];
  for (const user of users.filter((u) => !u.serviceAccountOf)) {
    const [organisation] = user.organisations;
    if (user.organisations.length !== 1 || !user.username.startsWith(`${organisation}.`)) {
      others.push(user);
      continue;
    }
    const account = user.username.slice(organisation.length + 1);
    const roles = user.roles.join(', ');
    const label = roles === account ? account : `${account} (role ${roles})`;
    accounts.set(label, [...(accounts.get(label) ?? []), organisation]);
  }
  const byOrganisations = new Map<string, string[]>();
  for (const [label, organisations] of accounts) {
    const key = organisations.join(' ');
    byOrganisations.set(key, [...(byOrganisations.get(key) ?? []), label]);
  }
  const rows: Array<[string, string]> = [
    ...[...byOrganisations].map(([key, labels]): [string, string] => [
      labels.join(', '),
      compressRuns(key.split(' ')).join(', '),
    ]),
    ...others.map((user): [string, string] => [
      user.username,
      `${user.roles.join(', ')} in ${user.organisations.join(' and ')}`,
    ]),
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${left.padEnd(width)}  ${right}`);
}

/** A shell line that gets a token for `username` through the entry port and lists persons. */
export function tryItCommand(entryUrl: string, username: string, hasJq: boolean): string {
  const extract = hasJq ? 'jq -r .access_token' : `sed -E 's/.*"access_token":"([^"]+)".*/\\1/'`;
  return (
    `TOKEN=$(curl -s ${realmUrl(entryUrl, '/protocol/openid-connect/token')} -d grant_type=password ` +
    `-d client_id=${demoClient} -d username=${username} -d password=${demoPassword} | ${extract}) && ` +
    `curl -s ${entryUrl}/people/persons -H "Authorization: Bearer $TOKEN"`
  );
}

/** Printed once everything answers; its first line is what scripts and tests wait for. */
export function banner(system: RunningSystem, users: DemoUser[], hasJq: boolean): string {
  const { entryUrl } = system;
  const rows: Array<[string, string]> = [['entry', `${entryUrl}/  (JSON index of the services)`]];
  for (const app of system.apps) {
    const urls = appUrls(entryUrl, app);
    rows.push([app.name, `${urls.docs}  (OpenAPI ${urls.openapi})`]);
  }
  rows.push([
    'identity',
    `${realmUrl(entryUrl, '/.well-known/openid-configuration')}  (` +
      (system.identity.kind === 'development'
        ? 'development identity provider, NOT Keycloak: never for production)'
        : `Keycloak at ${system.identity.upstream})`),
  ]);
  rows.push(['postgresql', `${withoutPassword(system.database.url)}  (${system.database.origin})`]);
  rows.push(['nats', `${system.nats.url}  (${system.nats.origin})`]);
  const width = Math.max(...rows.map(([left]) => left.length));
  const example =
    users.find((user) => !user.serviceAccountOf && user.roles.includes('operator'))?.username ??
    users[0]?.username ??
    'cri-milano.operator';
  return [
    `Accanto is up on ${entryUrl}  (Ctrl-C stops everything)`,
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    `  Demo users, password ${demoPassword}; usernames are <organisation>.<account>:`,
    ...describeDemoUsers(users).map((line) => `    ${line}`),
    `    integration-<organisation> clients: client credentials, secrets in deploy/keycloak/accanto-realm.json`,
    '',
    '  Try it:',
    `    ${tryItCommand(entryUrl, example, hasJq)}`,
    '',
  ].join('\n');
}
