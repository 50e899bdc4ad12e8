import { appNodeFlags } from '#testing';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';

// What CI can check of docker-compose.yml, the Dockerfile and deploy/k8s without Docker or a
// cluster: the pieces exist, are wired to each other, and agree with the code they run.

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

type ComposeService = {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  configs?: { source: string; target: string }[];
};
type Compose = { services: Record<string, ComposeService>; configs: Record<string, { content: string }> };

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Probe = { httpGet?: { path: string; port: string | number } };
type Container = {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
};
type Resource = {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    serviceName?: string;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; volumes?: { name: string; configMap?: { name: string } }[] };
    };
    ports?: { name: string; port: number; targetPort?: string | number }[];
    rules?: {
      host: string;
      http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] };
    }[];
  };
};

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const service = (name: string) => compose.services[name];

const manifestFiles = readdirSync(resolve(root, 'deploy/k8s')).filter(
  (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
);
const documents = (path: string) =>
  parseAllDocuments(read(path)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0].message}`);
    return document.toJS() as Resource;
  });
const resources = manifestFiles.flatMap((file) => documents(`deploy/k8s/${file}`));
const exampleSecrets = documents('deploy/k8s/examples/secrets.yaml');
const find = (kind: string, name: string) => {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
};
const containerOf = (kind: string, name: string) => find(kind, name).spec!.template!.spec.containers[0];
const envOf = (container: Container) =>
  Object.fromEntries((container.env ?? []).map((env) => [env.name, env]));

const appEnvironment = [
  'PORT',
  'DATABASE_URL',
  'DATABASE_APP_USER',
  'DATABASE_APP_PASSWORD',
  'DATABASE_RELAY_USER',
  'DATABASE_RELAY_PASSWORD',
  'NATS_URL',
  'OIDC_ISSUER',
  'OIDC_JWKS_URL',
  'OIDC_AUDIENCE',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
];
const registerEntry = './dist/libs/observability/src/register.js';

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 17, NATS 2.12 with JetStream, Keycloak 26, the collector, Jaeger, the apps and a gateway', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['gateway', 'jaeger', 'keycloak', 'nats', 'otel-collector', 'outings', 'people', 'postgres'].sort(),
    );
    expect(service('postgres').image).toMatch(/^postgres:17\b/);
    expect(service('nats').image).toMatch(/^nats:2\.12\b/);
    expect(service('nats').command).toEqual(expect.arrayContaining(['--jetstream', '--store_dir']));
    expect(service('keycloak').image).toMatch(/^quay\.io\/keycloak\/keycloak:26\b/);
    expect(service('jaeger').ports).toContain('16686:16686');
  });

  it('checks the health of PostgreSQL, NATS and Keycloak, and starts the apps only once they are healthy', () => {
    for (const name of ['postgres', 'nats', 'keycloak'])
      expect(service(name).healthcheck?.test).toBeDefined();
    expect(service('people').depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      nats: { condition: 'service_healthy' },
      keycloak: { condition: 'service_healthy' },
    });
  });

  it('creates the databases with the init script in deploy/postgres', () => {
    expect(service('postgres').volumes).toContain('./deploy/postgres:/docker-entrypoint-initdb.d:ro');
    const scripts = readdirSync(resolve(root, 'deploy/postgres')).filter((file) => file.endsWith('.sh'));
    expect(scripts).not.toEqual([]);
    for (const script of scripts) accessSync(resolve(root, 'deploy/postgres', script), constants.X_OK);
  });

  it('imports the realm file into Keycloak with organisations enabled', () => {
    const keycloak = service('keycloak');
    expect(keycloak.command).toEqual(['start-dev', '--import-realm']);
    expect(keycloak.volumes).toContain('./deploy/keycloak:/opt/keycloak/data/import:ro');
    expect(keycloak.environment?.KC_FEATURES).toContain('organization');
    expect(read('deploy/keycloak/accanto-realm.json')).toContain('"realm"');
  });

  it('sends traces from the apps to the collector, and from the collector to Jaeger; serves metrics to scrape', () => {
    const collector = service('otel-collector');
    expect(collector.volumes).toContain('./deploy/otel/collector.yaml:/etc/otelcol/config.yaml:ro');
    expect(collector.environment?.TRACES_OTLP_ENDPOINT).toBe('jaeger:4317');
    type Pipeline = { receivers: string[]; exporters: string[] };
    const config = parse(read('deploy/otel/collector.yaml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: Pipeline; metrics: Pipeline } };
    };
    expect(config.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    const [exporter] = config.service.pipelines.traces.exporters;
    expect(config.exporters[exporter].endpoint).toBe('${env:TRACES_OTLP_ENDPOINT}');
    expect(config.service.pipelines.metrics).toMatchObject({
      receivers: ['otlp'],
      exporters: ['prometheus'],
    });
    expect(config.exporters.prometheus.endpoint).toBe('0.0.0.0:8889');
    expect(collector.ports).toContain('127.0.0.1:8889:8889');
    expect(service('people').environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
  });

  it('configures people with its own database, NATS, the public issuer and the internal key set', () => {
    const people = service('people');
    expect(people.build).toBe('.');
    expect(people.command).toEqual(['dist/apps/people/src/main.js']);
    const env = people.environment ?? {};
    expect(Object.keys(env)).toEqual(expect.arrayContaining(appEnvironment));
    expect(env).toMatchObject({
      HOST: '0.0.0.0',
      NATS_URL: 'nats://nats:4222',
      OIDC_ISSUER: 'http://localhost:8080/realms/accanto',
      OIDC_JWKS_URL: 'http://keycloak:8080/realms/accanto/protocol/openid-connect/certs',
      OIDC_AUDIENCE: 'accanto-api',
      OTEL_SERVICE_NAME: 'people',
      DATABASE_APP_USER: 'people_app',
      DATABASE_RELAY_USER: 'people_relay',
    });
    const databaseUrl = new URL(env.DATABASE_URL.replace(/\$\{[^}]+\}/g, 'x'));
    expect([databaseUrl.hostname, databaseUrl.username, databaseUrl.pathname]).toEqual([
      'postgres',
      'people_owner',
      '/people',
    ]);
    // Its health check asks the app's own readiness route, on the app's port.
    expect(people.healthcheck?.test.join(' ')).toContain(`:${env.PORT}/people/health/ready`);
  });

  it('routes /people through the gateway to the people app', () => {
    const gateway = service('gateway');
    const config = compose.configs[gateway.configs![0].source].content;
    expect(config).toMatch(
      new RegExp(`handle /people/\\*\\s*\\{\\s*reverse_proxy people:${service('people').environment?.PORT}`),
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on Node 24 with npm ci and npm run build, and starts the app after the OpenTelemetry register hook', () => {
    expect(dockerfile).toMatch(/^FROM node:24\b/m);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/npm run build/);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)![1]) as string[];
    const command = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)![1]) as string[];
    expect([...entrypoint.slice(entrypoint.indexOf('node')), ...command]).toEqual([
      'node',
      ...appNodeFlags,
      '--import',
      registerEntry,
      'dist/apps/people/src/main.js',
    ]);
    // The entry file the image loads is the one this library builds.
    expect(read('libs/observability/src/register.ts')).toContain('startTracing');
  });
});

describe('deploy/k8s', () => {
  it('lists every manifest in the kustomization and puts everything in the accanto namespace', () => {
    const kustomization = parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
    for (const resource of resources.filter((candidate) => candidate.kind !== 'Namespace')) {
      expect(`${resource.kind}/${resource.metadata.name}: ${resource.metadata.namespace}`).toBe(
        `${resource.kind}/${resource.metadata.name}: accanto`,
      );
    }
  });

  it('runs people as two replicas with readiness and liveness probes on its health routes', () => {
    const deployment = find('Deployment', 'people');
    expect(deployment.spec?.replicas).toBe(2);
    const container = containerOf('Deployment', 'people');
    expect(container.args).toEqual(['dist/apps/people/src/main.js']);
    expect(container.readinessProbe?.httpGet?.path).toBe('/people/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/people/health/live');
    const port = container.ports?.find(
      (candidate) => candidate.name === container.readinessProbe?.httpGet?.port,
    );
    expect(String(port?.containerPort)).toBe(envOf(container).PORT.value);
  });

  it.each([
    { app: 'people', flag: 'PEOPLE_RELAY', database: 'people' },
    { app: 'outings', flag: 'OUTINGS_RELAY', database: 'street_outings' },
  ])(
    'runs the $app relay as a Deployment of its own, with probes, as the relay role and without the master key',
    ({ app, flag, database }) => {
      expect(envOf(containerOf('Deployment', app))[flag].value).toBe('false');
      expect(find('Deployment', `${app}-relay`).spec?.replicas).toBe(2);
      const relay = containerOf('Deployment', `${app}-relay`);
      expect(relay.args).toEqual([`dist/apps/${app}/src/relay.js`]);
      expect(relay.readinessProbe?.httpGet?.path).toBe(`/${app}-relay/health/ready`);
      expect(relay.livenessProbe?.httpGet?.path).toBe(`/${app}-relay/health/live`);
      const env = envOf(relay);
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'DATABASE_RELAY_USER', 'DATABASE_RELAY_PASSWORD']),
      );
      expect(Object.keys(env)).not.toContain('PEOPLE_MASTER_KEY');
      expect(Object.keys(env)).not.toContain('DATABASE_OWNER_PASSWORD');
      expect(env.DATABASE_URL.value).toBe(`postgres://${database}_relay@postgres:5432/${database}`);
      expect(env.DATABASE_RELAY_USER.value).toBe(`${database}_relay`);
      // Its health port is the PORT it listens on.
      const port = relay.ports?.find((candidate) => candidate.name === relay.readinessProbe?.httpGet?.port);
      expect(String(port?.containerPort)).toBe(env.PORT.value);
    },
  );

  it('gives people the whole app environment from the shared ConfigMap, its own values and Secret references', () => {
    const container = containerOf('Deployment', 'people');
    const config = find('ConfigMap', 'accanto-config').data ?? {};
    const configMaps = container.envFrom?.map((source) => source.configMapRef?.name);
    expect(configMaps).toContain('accanto-config');
    const provided = [...Object.keys(config), ...Object.keys(envOf(container))];
    expect(provided).toEqual(expect.arrayContaining(appEnvironment));
    expect(config).toMatchObject({
      OIDC_JWKS_URL: 'http://keycloak:8080/realms/accanto/protocol/openid-connect/certs',
      OIDC_AUDIENCE: 'accanto-api',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      NATS_URL: 'nats://nats:4222',
    });
    expect(envOf(container).OTEL_SERVICE_NAME.value).toBe('people');
  });

  it('refers only to Secret keys and ConfigMaps that exist (Secrets as in examples/secrets.yaml)', () => {
    const workloads = resources.filter((resource) => resource.spec?.template);
    for (const workload of workloads) {
      const { containers, volumes = [] } = workload.spec!.template!.spec;
      for (const container of containers) {
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = exampleSecrets.find((candidate) => candidate.metadata.name === ref.name);
          expect(
            `${workload.metadata.name}: ${ref.name}/${ref.key} ${secret?.stringData?.[ref.key] !== undefined}`,
          ).toBe(`${workload.metadata.name}: ${ref.name}/${ref.key} true`);
        }
        for (const source of container.envFrom ?? []) {
          if (source.secretRef)
            expect(exampleSecrets.map((secret) => secret.metadata.name)).toContain(source.secretRef.name);
          if (source.configMapRef) find('ConfigMap', source.configMapRef.name);
        }
      }
      // keycloak-realm is made from deploy/keycloak/accanto-realm.json at install time (README).
      for (const volume of volumes)
        if (volume.configMap && volume.configMap.name !== 'keycloak-realm')
          find('ConfigMap', volume.configMap.name);
    }
  });

  it('selects pods with every Service and sends traffic to named container ports that exist', () => {
    for (const service of resources.filter((resource) => resource.kind === 'Service')) {
      const selector = service.spec?.selector ?? {};
      const target = resources.find(
        (resource) =>
          resource.spec?.template &&
          Object.entries(selector).every(
            ([key, value]) => resource.spec!.template!.metadata.labels[key] === value,
          ),
      );
      expect(`${service.metadata.name} -> ${target?.metadata.name ?? 'nothing'}`).not.toMatch(/nothing$/);
      const portNames = target!.spec!.template!.spec.containers.flatMap((container) => container.ports ?? []);
      for (const port of service.spec?.ports ?? []) {
        const targetPort = port.targetPort ?? port.port;
        const exists = portNames.some(
          (candidate) => candidate.name === targetPort || candidate.containerPort === targetPort,
        );
        expect(`${service.metadata.name}:${port.name} ${exists}`).toBe(
          `${service.metadata.name}:${port.name} true`,
        );
      }
    }
  });

  it('runs NATS as a three-server JetStream cluster whose routes name every server, with R3 streams', () => {
    const statefulSet = find('StatefulSet', 'nats');
    expect(statefulSet.spec?.replicas).toBe(3);
    const config = find('ConfigMap', 'nats-config').data?.['nats.conf'] ?? '';
    expect(config).toMatch(/jetstream\s*\{[^}]*store_dir:/);
    const routes = [...config.matchAll(/nats:\/\/([\w-]+)\.([\w-]+):6222/g)];
    expect(routes.map(([, pod]) => pod)).toEqual(['nats-0', 'nats-1', 'nats-2']);
    expect(new Set(routes.map(([, , headless]) => headless))).toEqual(
      new Set([statefulSet.spec?.serviceName]),
    );
    expect(find('ConfigMap', 'accanto-config').data?.NATS_STREAM_REPLICAS).toBe('3');
  });

  it('carries the same PostgreSQL init script and collector configuration as docker compose, and a database for Keycloak', () => {
    expect(find('ConfigMap', 'postgres-init').data?.['10-create-databases.sh']).toBe(
      read('deploy/postgres/10-create-databases.sh'),
    );
    expect(find('ConfigMap', 'otel-collector').data?.['collector.yaml']).toBe(
      read('deploy/otel/collector.yaml'),
    );
    const postgres = envOf(containerOf('StatefulSet', 'postgres'));
    expect(postgres.ACCANTO_DATABASES.value?.split(' ')).toContain('people');
    expect(postgres.ACCANTO_SERVICE_DATABASES.value?.split(' ')).toContain('keycloak');
    expect(envOf(containerOf('Deployment', 'keycloak')).KC_DB_USERNAME.value).toBe('keycloak_owner');
  });

  it('provisions the realm without demo users and routes the API and Keycloak through the ingress', () => {
    // Importing the file at start would create its demo users, with their development passwords.
    expect(containerOf('Deployment', 'keycloak').args).toEqual(['start']);
    const provision = containerOf('Job', 'keycloak-provision');
    expect(provision.args).toEqual(['dist/scripts/keycloak-provision.js']);
    expect(provision.args).not.toContain('--demo-users');
    expect(envOf(provision).KEYCLOAK_URL.value).toBe('http://keycloak:8080');
    const realmFile = envOf(provision).KEYCLOAK_REALM_FILE.value ?? '';
    const mount = provision.volumeMounts?.find((candidate) =>
      realmFile.startsWith(`${candidate.mountPath}/`),
    );
    const volume = find('Job', 'keycloak-provision').spec?.template?.spec.volumes?.find(
      (candidate) => candidate.name === mount?.name,
    );
    expect(volume?.configMap?.name).toBe('keycloak-realm');
    expect(realmFile.endsWith('/accanto-realm.json')).toBe(true);
    // The variables the Job sets are the ones the script reads (the image builds scripts/ into dist/).
    const script = read('scripts/keycloak-provision.ts');
    for (const name of Object.keys(envOf(provision)).filter((n) => n.startsWith('KEYCLOAK_')))
      expect(`${name} ${script.includes(name)}`).toBe(`${name} true`);
    const paths = find('Ingress', 'accanto').spec?.rules?.flatMap((rule) =>
      rule.http.paths.map((path) => `${rule.host}${path.path} -> ${path.backend.service.name}`),
    );
    expect(paths).toEqual(
      expect.arrayContaining(['api.accanto.example/people -> people', 'auth.accanto.example/ -> keycloak']),
    );
    // The issuer the apps expect is the host the ingress serves Keycloak on.
    expect(find('ConfigMap', 'accanto-config').data?.OIDC_ISSUER).toBe(
      'https://auth.accanto.example/realms/accanto',
    );
  });
});
